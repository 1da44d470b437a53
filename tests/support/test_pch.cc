// The object the test precompiled header is built with (test_pch.h).
