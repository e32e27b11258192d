// Every out-of-line definition of the library, for the one translation unit that compiles them in
// separate-compilation mode (src/https.cpp).
#pragma once

#if !defined(HTTPS_SEPARATE_COMPILATION)
#error "https/impl/src.ipp is for separate compilation: define HTTPS_SEPARATE_COMPILATION"
#endif

#include "../x509/impl/certificate.ipp"
#include "../x509/impl/signature.ipp"
#include "../x509/impl/trust_store.ipp"
#include "../x509/impl/ocsp.ipp"
#include "../x509/impl/verify.ipp"
#include "../x509/impl/web_pki.ipp"
#include "../x509/impl/private_key.ipp"
#include "../tls/impl/handshake13.ipp"
#include "../tls/impl/client.ipp"
#include "../net/impl/tls_stream.ipp"
#include "../http/impl/body_source.ipp"
#include "../http/impl/inflate.ipp"
#include "../http/impl/client.ipp"
#include "https.ipp"
