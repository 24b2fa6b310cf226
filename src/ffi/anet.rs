//! extern "C" anet functions.
