// Owning pointers for the OpenSSL objects the product and its tests hold:
// one deleter per type, written once (platform/tls.cc, the agent's TLS
// probe, central's client certificate check and the test CA use them).
#ifndef STOREAGENT_PLATFORM_OPENSSL_PTR_H_
#define STOREAGENT_PLATFORM_OPENSSL_PTR_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace storeagent::tls {

// Calls the OpenSSL function `Free` on the pointer.
template <auto Free>
struct OpensslFree {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

// A stack of certificates frees each one with it (sk_X509_pop_free is a
// macro, not a function).
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};

using BioPtr = std::unique_ptr<BIO, OpensslFree<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, OpensslFree<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpensslFree<EVP_PKEY_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslFree<BN_free>>;
using GeneralNamesPtr =
    std::unique_ptr<GENERAL_NAMES, OpensslFree<GENERAL_NAMES_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpensslFree<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpensslFree<SSL_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpensslFree<X509_STORE_free>>;
using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, OpensslFree<X509_STORE_CTX_free>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

}  // namespace storeagent::tls

#endif  // STOREAGENT_PLATFORM_OPENSSL_PTR_H_
