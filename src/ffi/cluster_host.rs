//! Setting the cluster link layer's host interface.
#![allow(non_snake_case)]

use core::ffi::c_longlong;

use crate::abi::cluster_host::aenetClusterHost;
use crate::cluster::host;

/// Installs the host's hooks (copied); NULL restores every default.
///
/// # Safety
/// `host` is NULL or points to a valid aenetClusterHost.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn aenetClusterSetHost(host: *const aenetClusterHost) {
    // SAFETY: NULL or valid by contract; the struct is copied.
    host::set(unsafe { host.as_ref() }.copied());
}

/// Messages queued by clusterSendMessage while no messageSent hook is set.
#[unsafe(no_mangle)]
pub extern "C" fn aenetClusterMessagesSent() -> c_longlong {
    host::messages_sent()
}
