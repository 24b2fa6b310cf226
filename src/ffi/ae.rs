//! extern "C" ae functions.
