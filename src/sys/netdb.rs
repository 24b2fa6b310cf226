//! Name resolution and address text: getaddrinfo, gai_strerror,
//! inet_ntop and strerror_r, one call per wrapper.

use core::ffi::{CStr, c_char, c_int, c_void};

use super::sockaddr::SockAddr;

unsafe extern "C" {
    // Not declared by the libc crate for Linux; part of glibc.
    fn inet_ntop(af: c_int, src: *const c_void, dst: *mut c_char, size: libc::socklen_t) -> *const c_char;
    // glibc's XSI-compliant strerror_r (what <string.h> gives without
    // _GNU_SOURCE): fills `buf`, returns 0 or an error number.
    #[link_name = "__xpg_strerror_r"]
    fn xpg_strerror_r(errnum: c_int, buf: *mut c_char, buflen: usize) -> c_int;
}

/// `INET6_ADDRSTRLEN`: room for any address inet_ntop prints, plus NUL.
pub const INET6_ADDRSTRLEN: usize = 46;

/// The hints of a getaddrinfo call.
#[derive(Clone, Copy, Debug, Default)]
pub struct Hints {
    pub flags: i32,
    pub family: i32,
    pub socktype: i32,
}

/// One candidate of a getaddrinfo answer, copied out of the list.
#[derive(Clone, Copy, Debug)]
pub struct AddrInfo {
    pub family: i32,
    pub socktype: i32,
    pub protocol: i32,
    pub addr: SockAddr,
}

/// The list getaddrinfo returned; freed exactly once when dropped.
pub struct AddrInfoList {
    head: *mut libc::addrinfo,
}

/// getaddrinfo(3). On failure, the EAI_* code (see `gai_strerror`).
pub fn getaddrinfo(node: Option<&CStr>, service: Option<&CStr>, hints: &Hints) -> Result<AddrInfoList, i32> {
    // SAFETY: addrinfo is plain old data; all-zero is a valid hints value.
    let mut h = unsafe { core::mem::zeroed::<libc::addrinfo>() };
    h.ai_flags = hints.flags;
    h.ai_family = hints.family;
    h.ai_socktype = hints.socktype;
    let mut head: *mut libc::addrinfo = core::ptr::null_mut();
    let node_p = node.map_or(core::ptr::null(), CStr::as_ptr);
    let service_p = service.map_or(core::ptr::null(), CStr::as_ptr);
    // SAFETY: node/service are NULL or NUL-terminated, `h` is a valid
    // hints struct and `head` a valid out-pointer.
    let rc = unsafe { libc::getaddrinfo(node_p, service_p, &raw const h, &raw mut head) };
    if rc != 0 {
        return Err(rc);
    }
    Ok(AddrInfoList { head })
}

impl AddrInfoList {
    pub fn iter(&self) -> AddrInfoIter<'_> {
        AddrInfoIter { cur: self.head, _list: core::marker::PhantomData }
    }
}

impl Drop for AddrInfoList {
    fn drop(&mut self) {
        if !self.head.is_null() {
            // SAFETY: `head` came from a successful getaddrinfo and is
            // freed only here.
            unsafe { libc::freeaddrinfo(self.head) };
        }
    }
}

pub struct AddrInfoIter<'a> {
    cur: *const libc::addrinfo,
    _list: core::marker::PhantomData<&'a AddrInfoList>,
}

impl Iterator for AddrInfoIter<'_> {
    type Item = AddrInfo;

    fn next(&mut self) -> Option<AddrInfo> {
        loop {
            if self.cur.is_null() {
                return None;
            }
            // SAFETY: non-NULL nodes of a live getaddrinfo list are valid
            // and outlive this iterator (it borrows the list).
            let ai = unsafe { &*self.cur };
            self.cur = ai.ai_next;
            // SAFETY: ai_addr points to ai_addrlen bytes owned by the list.
            let addr = unsafe { SockAddr::from_raw(ai.ai_addr, ai.ai_addrlen) };
            // An entry without a usable address cannot be bound or
            // connected; skip it rather than pass junk to the kernel.
            if let Some(addr) = addr {
                return Some(AddrInfo {
                    family: ai.ai_family,
                    socktype: ai.ai_socktype,
                    protocol: ai.ai_protocol,
                    addr,
                });
            }
        }
    }
}

/// gai_strerror(3): glibc's static text for an EAI_* code.
pub fn gai_strerror(code: i32) -> &'static CStr {
    // SAFETY: gai_strerror returns a pointer to a static NUL-terminated
    // string for every code (glibc: "Unknown error" for unknown ones).
    let p = unsafe { libc::gai_strerror(code) };
    if p.is_null() {
        return c"Unknown error";
    }
    // SAFETY: non-NULL, static and NUL-terminated as above.
    unsafe { CStr::from_ptr(p) }
}

/// inet_ntop(3) for AF_INET (4 bytes) or AF_INET6 (16 bytes) into `dst`.
/// Returns the text length (without NUL), or the errno (ENOSPC, EAFNOSUPPORT).
pub fn ntop(af: i32, src: &[u8], dst: &mut [u8; INET6_ADDRSTRLEN]) -> Result<usize, i32> {
    let need = match af {
        libc::AF_INET => 4,
        libc::AF_INET6 => 16,
        _ => return Err(libc::EAFNOSUPPORT),
    };
    if src.len() < need {
        return Err(libc::EINVAL);
    }
    // SAFETY: `src` has at least the 4/16 bytes inet_ntop reads for `af`;
    // `dst` has INET6_ADDRSTRLEN writable bytes, the size passed.
    let p = unsafe { inet_ntop(af, src.as_ptr().cast(), dst.as_mut_ptr().cast(), INET6_ADDRSTRLEN as libc::socklen_t) };
    if p.is_null() {
        return Err(super::errno());
    }
    Ok(dst.iter().position(|&b| b == 0).unwrap_or(INET6_ADDRSTRLEN))
}

/// strerror(3)'s text for `errnum`, written into `buf`; "Unknown error N"
/// for numbers glibc does not know, exactly as strerror prints them.
pub fn strerror(errnum: i32, buf: &mut [u8; 128]) -> &[u8] {
    // SAFETY: `buf` has 128 writable bytes, the size passed; glibc always
    // NUL-terminates within it.
    let _ = unsafe { xpg_strerror_r(errnum, buf.as_mut_ptr().cast(), buf.len()) };
    let n = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    &buf[..n]
}

/// The gid of group `name` (getgrnam_r), Ok(None) when there is no such
/// group (errno is then whatever the lookup left), or the error number.
pub fn group_id(name: &CStr) -> Result<Option<libc::gid_t>, i32> {
    // SAFETY: group is plain old data; all-zero is valid to overwrite.
    let mut grp = unsafe { core::mem::zeroed::<libc::group>() };
    let mut buf = vec![0 as c_char; 16 * 1024];
    let mut result: *mut libc::group = core::ptr::null_mut();
    // SAFETY: name is NUL-terminated; grp, buf (its length passed) and
    // result are valid out-pointers for the call.
    let rc = unsafe { libc::getgrnam_r(name.as_ptr(), &mut grp, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 {
        return Err(rc);
    }
    Ok(if result.is_null() { None } else { Some(grp.gr_gid) })
}
