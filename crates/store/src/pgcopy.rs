//! A reader of PostgreSQL's binary COPY format (`COPY … TO STDOUT (FORMAT binary)`), for the
//! graph load: it hands out borrowed fields without building a row object per tuple.

use std::io::{BufReader, Read};

use crate::{Result, StoreError};

const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

pub(crate) struct CopyOut<R> {
    /// Buffered so that the many small field reads are plain copies.
    reader: BufReader<R>,
    /// The current tuple's field bytes, back to back.
    buf: Vec<u8>,
    /// Each field's range in `buf`; `None` for NULL.
    fields: Vec<Option<(usize, usize)>>,
}

fn corrupt(message: impl Into<String>) -> StoreError {
    StoreError::corrupt("copy", message)
}

impl<R: Read> CopyOut<R> {
    pub(crate) fn new(reader: R) -> Result<CopyOut<R>> {
        let mut reader = BufReader::with_capacity(1 << 18, reader);
        let mut signature = [0u8; 11];
        reader.read_exact(&mut signature)?;
        if &signature != SIGNATURE {
            return Err(corrupt("not a binary COPY stream"));
        }
        let mut out = CopyOut {
            reader,
            buf: Vec::new(),
            fields: Vec::new(),
        };
        let _flags = out.read_i32()?;
        let extension =
            usize::try_from(out.read_i32()?).map_err(|_| corrupt("negative header extension"))?;
        std::io::copy(
            &mut (&mut out.reader).take(extension as u64),
            &mut std::io::sink(),
        )?;
        Ok(out)
    }

    fn read_i32(&mut self) -> Result<i32> {
        let mut bytes = [0u8; 4];
        self.reader.read_exact(&mut bytes)?;
        Ok(i32::from_be_bytes(bytes))
    }

    /// Reads the next tuple; false at the end of the stream.
    pub(crate) fn next_row(&mut self) -> Result<bool> {
        let mut count = [0u8; 2];
        self.reader.read_exact(&mut count)?;
        let count = i16::from_be_bytes(count);
        if count == -1 {
            return Ok(false);
        }
        self.buf.clear();
        self.fields.clear();
        for _ in 0..count {
            let len = self.read_i32()?;
            if len < 0 {
                self.fields.push(None);
                continue;
            }
            let start = self.buf.len();
            self.buf.resize(start + len as usize, 0);
            self.reader.read_exact(&mut self.buf[start..])?;
            self.fields.push(Some((start, self.buf.len())));
        }
        Ok(true)
    }

    fn field(&self, i: usize) -> Result<Option<&[u8]>> {
        match self.fields.get(i) {
            Some(range) => Ok(range.map(|(start, end)| &self.buf[start..end])),
            None => Err(corrupt(format!("tuple has no field {i}"))),
        }
    }

    fn required(&self, i: usize) -> Result<&[u8]> {
        self.field(i)?
            .ok_or_else(|| corrupt(format!("field {i} is NULL")))
    }

    fn eight(bytes: &[u8]) -> Result<[u8; 8]> {
        bytes
            .try_into()
            .map_err(|_| corrupt(format!("expected 8 bytes, got {}", bytes.len())))
    }

    pub(crate) fn int(&self, i: usize) -> Result<i64> {
        Ok(i64::from_be_bytes(Self::eight(self.required(i)?)?))
    }

    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        self.field(i)?
            .map(|b| Ok(i64::from_be_bytes(Self::eight(b)?)))
            .transpose()
    }

    pub(crate) fn opt_real(&self, i: usize) -> Result<Option<f64>> {
        self.field(i)?
            .map(|b| Ok(f64::from_be_bytes(Self::eight(b)?)))
            .transpose()
    }

    pub(crate) fn text(&self, i: usize) -> Result<&str> {
        std::str::from_utf8(self.required(i)?).map_err(|e| corrupt(e.to_string()))
    }

    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<&str>> {
        self.field(i)?
            .map(|b| std::str::from_utf8(b).map_err(|e| corrupt(e.to_string())))
            .transpose()
    }
}
