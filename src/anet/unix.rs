//! Unix-domain socket addresses built from a caller's path.

use core::ffi::CStr;

use super::error::{AnetError, AnetResult};
use crate::sys::sockaddr::{SUN_PATH_LEN, SockAddr};

/// A zeroed, NUL-terminated AF_UNIX address for `path`. Deliberate
/// difference: the reference truncates a path of 108 bytes or more
/// silently; here it is an error with the text later Redis versions use,
/// and errno ENAMETOOLONG.
pub fn unix_sockaddr(path: &CStr) -> AnetResult<SockAddr> {
    let bytes = path.to_bytes();
    SockAddr::unix(bytes).ok_or_else(|| {
        AnetError::new(
            libc::ENAMETOOLONG,
            format_args!("unix socket path too long ({}), must be under {}", bytes.len(), SUN_PATH_LEN),
        )
    })
}
