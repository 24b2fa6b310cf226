//! Framing of the cluster bus: a header prefix read on its own and checked
//! ("RCmb", the big-endian totlen within bounds; with Valkey 8's light
//! headers also the type, whose 0x8000 bit lowers the minimum), then the
//! rest of the frame. `check_header` is the pure check; the 3.0-5.0 link
//! layer applies it to its 8-byte prefix, and 7.x+ hosts that keep their
//! own link layer call it through aenetClusterCheckFrameHeader.

use crate::abi::cluster::CLUSTERMSG_SIG;

/// The prefix a frame's length is known from: signature and totlen.
pub const PREFIX_LEN: usize = 8;
/// What a bus with light headers reads first (Valkey 8's
/// RCVBUF_MIN_READ_LEN): signature, totlen, ver, port, type.
pub const LIGHT_PREFIX_LEN: usize = 14;
/// The type bit that marks a light header (Valkey 8's CLUSTERMSG_LIGHT).
pub const LIGHT_FLAG: u16 = 0x8000;

/// What a frame header is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderRules {
    min_len: u32,
    light_min_len: Option<u32>,
    max_len: u32,
}

impl HeaderRules {
    /// `min_len`: the smallest totlen of a full header (CLUSTERMSG_MIN_LEN);
    /// `light_min_len`: where the bus has light headers, the smallest totlen
    /// of one (CLUSTERMSG_LIGHT_MIN_LEN); `max_len`: the largest totlen.
    /// None when a minimum does not exceed the prefix the check reads: a
    /// frame no longer than its prefix would count as whole before it was
    /// checked (the reference's totlen-8 bypass).
    pub fn new(min_len: u32, light_min_len: Option<u32>, max_len: u32) -> Option<HeaderRules> {
        let r = HeaderRules { min_len, light_min_len, max_len };
        let prefix = r.prefix_len() as u32;
        (min_len > prefix && light_min_len.is_none_or(|l| l > prefix)).then_some(r)
    }

    /// The bytes the check needs: 8, or 14 where light headers exist.
    pub fn prefix_len(&self) -> usize {
        if self.light_min_len.is_some() { LIGHT_PREFIX_LEN } else { PREFIX_LEN }
    }
}

/// What `check_header` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    /// `need` more bytes before the header can be checked.
    Incomplete { need: usize },
    /// A frame of `totlen` bytes may follow.
    Valid { totlen: u32, light: bool },
    /// Not "RCmb".
    BadSignature { totlen: u32 },
    /// totlen below the minimum of its kind of header.
    TooShort { totlen: u32, light: bool },
    /// totlen above the bound.
    TooLong { totlen: u32 },
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let b = b.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let b = b.get(at..at + 2)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

/// Checks the header at the start of `buf` (only its first
/// `rules.prefix_len()` bytes are read): the signature first, then totlen
/// against the minimum of its kind (light where the bus has light headers
/// and the type has the 0x8000 bit) and the bound.
pub fn check_header(buf: &[u8], rules: &HeaderRules) -> Header {
    let prefix = rules.prefix_len();
    let incomplete = Header::Incomplete { need: prefix.saturating_sub(buf.len()) };
    if buf.len() < prefix {
        return incomplete;
    }
    let Some(totlen) = be32(buf, 4) else { return incomplete };
    if buf.get(..4) != Some(&CLUSTERMSG_SIG[..]) {
        return Header::BadSignature { totlen };
    }
    let (light, min) = match rules.light_min_len {
        Some(l) if be16(buf, 12).is_some_and(|kind| kind & LIGHT_FLAG != 0) => (true, l),
        _ => (false, rules.min_len),
    };
    if totlen < min {
        Header::TooShort { totlen, light }
    } else if totlen > rules.max_len {
        Header::TooLong { totlen }
    } else {
        Header::Valid { totlen, light }
    }
}

/// The sizes one link works with: the host's (or generation's) frame
/// sizes and the library's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// CLUSTERMSG_MIN_LEN: the smallest totlen accepted.
    pub min_len: usize,
    /// The largest totlen accepted.
    pub max_frame: usize,
    /// sizeof(clusterMsg): the reference's read chunk.
    pub read_chunk: usize,
}

impl Limits {
    /// The header rules of a 3.0-5.0 link: no light headers; a minimum
    /// that does not exceed the prefix counts as one byte more than it.
    pub fn header_rules(&self) -> HeaderRules {
        let sat = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        let min = sat(self.min_len).max(PREFIX_LEN as u32 + 1);
        HeaderRules { min_len: min, light_min_len: None, max_len: sat(self.max_frame) }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum FrameError {
    /// Wrong signature, or totlen below the minimum or above the bound.
    BadHeader,
}

fn totlen(buffered: &[u8]) -> Option<usize> {
    let b = buffered.get(4..8)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// How many bytes to read next, given what is buffered of the current
/// frame. The prefix is checked as soon as it is complete, before anything
/// is handed on: a frame claiming totlen 8 no longer slips past the check.
pub fn next_read(buffered: &[u8], limits: &Limits) -> Result<usize, FrameError> {
    let len = buffered.len();
    if len < PREFIX_LEN {
        return Ok(PREFIX_LEN - len);
    }
    let total = totlen(buffered).ok_or(FrameError::BadHeader)?;
    if len == PREFIX_LEN && !matches!(check_header(buffered, &limits.header_rules()), Header::Valid { .. }) {
        return Err(FrameError::BadHeader);
    }
    Ok(total.saturating_sub(len))
}

/// How many of the `want` bytes still missing from a frame to make room for
/// now, given the `buffered` bytes of it that arrived: never more than what
/// arrived (at least one read chunk), so the buffer at most doubles per
/// read and follows the bytes a peer sent, not the length it claims.
pub fn read_budget(buffered: usize, want: usize, read_chunk: usize) -> usize {
    want.min(buffered.max(read_chunk))
}

/// The total length announced by a checked prefix.
pub fn frame_len(buffered: &[u8]) -> Option<usize> {
    if buffered.len() < PREFIX_LEN { None } else { totlen(buffered) }
}

/// True when the buffer holds exactly one whole frame. A bare prefix is
/// never a frame: it is checked first (the reference handed on a "frame"
/// whose totlen said 8 before checking it).
pub fn is_complete(buffered: &[u8]) -> bool {
    buffered.len() > PREFIX_LEN && frame_len(buffered) == Some(buffered.len())
}

/// The message type of a whole frame (offset 12, big-endian, in every
/// generation's clusterMsg), for the host's per-type counter.
pub fn msg_type(frame: &[u8]) -> Option<u16> {
    let b = frame.get(12..14)?;
    Some(u16::from_be_bytes([b[0], b[1]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits { min_len: 2208, max_frame: 1 << 20, read_chunk: 4304 };

    fn prefix(sig: &[u8; 4], total: u32) -> Vec<u8> {
        let mut v = sig.to_vec();
        v.extend_from_slice(&total.to_be_bytes());
        v
    }

    #[test]
    fn reads_prefix_then_rest() {
        assert_eq!(next_read(&[], &L), Ok(8));
        assert_eq!(next_read(b"RCm", &L), Ok(5));
        let p = prefix(b"RCmb", 2300);
        assert_eq!(next_read(&p, &L), Ok(2292));
        let mut full = p.clone();
        full.resize(2300, 0);
        assert!(is_complete(&full));
        assert_eq!(next_read(&full, &L), Ok(0));
    }

    #[test]
    fn read_budget_follows_what_arrived() {
        let chunk = 4304;
        assert_eq!(read_budget(8, (64 << 20) - 8, chunk), chunk, "a bare header buys one chunk");
        assert_eq!(read_budget(8, 100, chunk), 100);
        assert_eq!(read_budget(1 << 20, 64 << 20, chunk), 1 << 20, "then at most doubling");
        // Following the budget, capacity stays within twice what arrived
        // plus one chunk, all the way to the claimed length.
        let (total, mut have) = (64usize << 20, 8usize);
        while have < total {
            let step = read_budget(have, total - have, chunk);
            assert!(have + step <= 2 * have + chunk);
            have += step;
        }
        assert_eq!(have, total);
    }

    /// A 14-byte header: signature, totlen, ver 1, port 0, type.
    fn header(sig: &[u8; 4], total: u32, kind: u16) -> Vec<u8> {
        let mut v = prefix(sig, total);
        v.extend_from_slice(&1u16.to_be_bytes());
        v.extend_from_slice(&0u16.to_be_bytes());
        v.extend_from_slice(&kind.to_be_bytes());
        v
    }

    #[test]
    fn header_rules_refuse_minimums_within_the_prefix() {
        assert!(HeaderRules::new(2256, None, 1 << 20).is_some());
        assert!(HeaderRules::new(9, None, 1 << 20).is_some());
        assert!(HeaderRules::new(8, None, 1 << 20).is_none());
        assert!(HeaderRules::new(2256, Some(16), 1 << 20).is_some());
        assert!(HeaderRules::new(2256, Some(14), 1 << 20).is_none());
        assert!(HeaderRules::new(14, Some(16), 1 << 20).is_none());
        assert_eq!(HeaderRules::new(2256, None, 0).map(|r| r.prefix_len()), Some(8));
        assert_eq!(HeaderRules::new(2256, Some(16), 0).map(|r| r.prefix_len()), Some(14));
    }

    #[test]
    fn check_header_without_light_headers() {
        let r = HeaderRules::new(2256, None, 1 << 20).unwrap_or_else(|| unreachable!());
        assert_eq!(check_header(&[], &r), Header::Incomplete { need: 8 });
        assert_eq!(check_header(b"RCmb\0\0", &r), Header::Incomplete { need: 2 });
        assert_eq!(check_header(&prefix(b"RCmb", 2256), &r), Header::Valid { totlen: 2256, light: false });
        assert_eq!(check_header(&prefix(b"RCmb", 1 << 20), &r), Header::Valid { totlen: 1 << 20, light: false });
        assert_eq!(check_header(&prefix(b"RCmb", 2255), &r), Header::TooShort { totlen: 2255, light: false });
        assert_eq!(check_header(&prefix(b"RCmb", (1 << 20) + 1), &r), Header::TooLong { totlen: (1 << 20) + 1 });
        assert_eq!(check_header(&prefix(b"RCmB", 2256), &r), Header::BadSignature { totlen: 2256 });
        // The type bit means nothing on a bus without light headers.
        assert_eq!(check_header(&header(b"RCmb", 16, 0x8004), &r), Header::TooShort { totlen: 16, light: false });
    }

    #[test]
    fn check_header_with_light_headers() {
        let r = HeaderRules::new(2256, Some(16), 1 << 20).unwrap_or_else(|| unreachable!());
        assert_eq!(check_header(&prefix(b"RCmb", 2256), &r), Header::Incomplete { need: 6 });
        assert_eq!(check_header(&header(b"RCmb", 16, 0x8004), &r), Header::Valid { totlen: 16, light: true });
        assert_eq!(check_header(&header(b"RCmb", 15, 0x8004), &r), Header::TooShort { totlen: 15, light: true });
        assert_eq!(check_header(&header(b"RCmb", 16, 0x0004), &r), Header::TooShort { totlen: 16, light: false });
        assert_eq!(check_header(&header(b"RCmb", 2256, 0x0004), &r), Header::Valid { totlen: 2256, light: false });
        assert_eq!(
            check_header(&header(b"RCmb", (1 << 20) + 1, 0x8004), &r),
            Header::TooLong { totlen: (1 << 20) + 1 }
        );
        assert_eq!(check_header(&header(b"XXXX", 16, 0x8004), &r), Header::BadSignature { totlen: 16 });
        // Only the prefix is read: what follows it does not matter.
        let mut long = header(b"RCmb", 3000, 0);
        long.resize(3000, 0xff);
        assert_eq!(check_header(&long, &r), Header::Valid { totlen: 3000, light: false });
    }

    #[test]
    fn link_rules_never_accept_a_bare_prefix() {
        let tiny = Limits { min_len: 1, ..L };
        assert_eq!(next_read(&prefix(b"RCmb", 8), &tiny), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", 9), &tiny), Ok(1));
        let huge = Limits { max_frame: usize::MAX, ..L };
        assert_eq!(next_read(&prefix(b"RCmb", u32::MAX), &huge), Ok(u32::MAX as usize - 8));
    }

    #[test]
    fn rejects_bad_prefixes() {
        assert_eq!(next_read(&prefix(b"RCmX", 2300), &L), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", 2207), &L), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", 8), &L), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", (1 << 20) + 1), &L), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", 1 << 20), &L), Ok((1 << 20) - 8));
        assert!(!is_complete(&prefix(b"JUNK", 8)));
        let l50 = Limits { min_len: 2256, ..L };
        assert_eq!(next_read(&prefix(b"RCmb", 2255), &l50), Err(FrameError::BadHeader));
        assert_eq!(next_read(&prefix(b"RCmb", 2256), &l50), Ok(2248));
    }
}
