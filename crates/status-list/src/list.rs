use crate::StatusListError;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use flate2::Compression;
use passport_jose::b64;
use serde_json::{json, Value};
use std::io::{Read, Write};

/// 16 MiB: 134 million one-bit entries, far beyond any trust's credential count.
pub const MAX_DECOMPRESSED_BYTES: usize = 16 * 1024 * 1024;

/// Status types registered by the draft (section 7.1); other values are application-specific.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Valid,
    Invalid,
    Suspended,
    Other(u8),
}

impl Status {
    pub fn from_u8(v: u8) -> Self {
        match v {
            0 => Status::Valid,
            1 => Status::Invalid,
            2 => Status::Suspended,
            v => Status::Other(v),
        }
    }
    pub fn as_u8(self) -> u8 {
        match self {
            Status::Valid => 0,
            Status::Invalid => 1,
            Status::Suspended => 2,
            Status::Other(v) => v,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

impl StatusList {
    /// A list of at least `len` entries, all VALID (0).
    pub fn new(len: u64, bits: u8) -> Result<Self, StatusListError> {
        check_bits(bits as u64)?;
        let bytes = (len * bits as u64).div_ceil(8);
        if bytes as usize > MAX_DECOMPRESSED_BYTES {
            return Err(StatusListError::TooLarge(MAX_DECOMPRESSED_BYTES));
        }
        Ok(StatusList {
            bits,
            bytes: vec![0; bytes as usize],
        })
    }

    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// Number of entries (the byte length times entries per byte).
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * 8 / self.bits as u64
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn locate(&self, index: u64) -> Result<(usize, u32), StatusListError> {
        if index >= self.len() {
            return Err(StatusListError::OutOfRange {
                index,
                len: self.len(),
            });
        }
        let bit = index * self.bits as u64;
        Ok(((bit / 8) as usize, (bit % 8) as u32))
    }

    pub fn get(&self, index: u64) -> Result<u8, StatusListError> {
        let (byte, shift) = self.locate(index)?;
        let mask = ((1u16 << self.bits) - 1) as u8;
        Ok((self.bytes[byte] >> shift) & mask)
    }

    pub fn status(&self, index: u64) -> Result<Status, StatusListError> {
        self.get(index).map(Status::from_u8)
    }

    pub fn set(&mut self, index: u64, status: u8) -> Result<(), StatusListError> {
        let mask = ((1u16 << self.bits) - 1) as u8;
        if status & !mask != 0 {
            return Err(StatusListError::StatusTooWide {
                status,
                bits: self.bits,
            });
        }
        let (byte, shift) = self.locate(index)?;
        self.bytes[byte] = (self.bytes[byte] & !(mask << shift)) | (status << shift);
        Ok(())
    }

    /// `lst`: zlib at the best compression level, then base64url.
    pub fn encode(&self) -> String {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        // Writing to a Vec cannot fail.
        let compressed = z
            .write_all(&self.bytes)
            .and_then(|_| z.finish())
            .unwrap_or_default();
        b64::encode(compressed)
    }

    /// Decodes `lst`, refusing anything that inflates past [`MAX_DECOMPRESSED_BYTES`].
    pub fn decode(bits: u64, lst: &str) -> Result<Self, StatusListError> {
        check_bits(bits)?;
        let compressed = b64::decode(lst).map_err(|e| StatusListError::Malformed(e.to_string()))?;
        let mut bytes = Vec::new();
        ZlibDecoder::new(compressed.as_slice())
            .take(MAX_DECOMPRESSED_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| StatusListError::Malformed(format!("zlib: {e}")))?;
        if bytes.len() > MAX_DECOMPRESSED_BYTES {
            return Err(StatusListError::TooLarge(MAX_DECOMPRESSED_BYTES));
        }
        Ok(StatusList {
            bits: bits as u8,
            bytes,
        })
    }

    /// The `status_list` claim: `{"bits": .., "lst": ..}`.
    pub fn to_claim(&self) -> Value {
        json!({ "bits": self.bits, "lst": self.encode() })
    }

    /// Parses a `status_list` claim.
    pub fn from_claim(claim: &Value) -> Result<Self, StatusListError> {
        let bits = claim
            .get("bits")
            .and_then(Value::as_u64)
            .ok_or_else(|| StatusListError::Malformed("bits missing".into()))?;
        let lst = claim
            .get("lst")
            .and_then(Value::as_str)
            .ok_or_else(|| StatusListError::Malformed("lst missing".into()))?;
        Self::decode(bits, lst)
    }
}

fn check_bits(bits: u64) -> Result<(), StatusListError> {
    match bits {
        1 | 2 | 4 | 8 => Ok(()),
        b => Err(StatusListError::BadBits(b)),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn set_get_each_width() {
        for bits in [1u8, 2, 4, 8] {
            let mut l = StatusList::new(100, bits).unwrap();
            let max = ((1u16 << bits) - 1) as u8;
            for i in 0..100u64 {
                l.set(i, (i as u8) & max).unwrap();
            }
            let back = StatusList::decode(bits as u64, &l.encode()).unwrap();
            for i in 0..100u64 {
                assert_eq!(back.get(i).unwrap(), (i as u8) & max);
            }
            assert!(l.get(l.len()).is_err());
        }
        let mut l = StatusList::new(8, 1).unwrap();
        assert_eq!(
            l.set(0, 2),
            Err(StatusListError::StatusTooWide { status: 2, bits: 1 })
        );
        assert_eq!(StatusList::new(8, 3), Err(StatusListError::BadBits(3)));
    }

    #[test]
    fn one_million_entries_round_trip() {
        for bits in [1u8, 2] {
            let mut l = StatusList::new(1_000_000, bits).unwrap();
            let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
            let mut expected = vec![0u8; 1_000_000];
            for _ in 0..50_000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let i = x % 1_000_000;
                let s = ((x >> 32) % (1 << bits)) as u8;
                l.set(i, s).unwrap();
                expected[i as usize] = s;
            }
            let lst = l.encode();
            let back = StatusList::decode(bits as u64, &lst).unwrap();
            assert_eq!(back.len(), 1_000_000);
            for (i, s) in expected.iter().enumerate() {
                assert_eq!(back.get(i as u64).unwrap(), *s, "entry {i}");
            }
        }
    }

    #[test]
    fn zlib_bomb_is_refused() {
        let zeros = vec![0u8; MAX_DECOMPRESSED_BYTES + 1024];
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(&zeros).unwrap();
        let lst = b64::encode(z.finish().unwrap());
        assert_eq!(
            StatusList::decode(1, &lst),
            Err(StatusListError::TooLarge(MAX_DECOMPRESSED_BYTES))
        );
        assert!(matches!(
            StatusList::decode(1, "not-zlib"),
            Err(StatusListError::Malformed(_))
        ));
    }
}
