namespace storeagent {}
