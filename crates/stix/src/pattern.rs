//! STIX 2.1 patterns (STIX 2.1 section 9; the grammar is `STIXPattern.g4` of the OASIS
//! `cti-pattern-validator`): a parser and validator, panic-free and linear in the input.
//!
//! [`parse`] accepts what the OASIS pattern validator accepts, with the checks it makes beyond
//! the grammar (the values of known hash algorithms; one qualifier of each kind directly on a
//! `[…]` observation) and a few cheap ones of its own: timestamps are real dates and times,
//! integers fit in 64 bits, `WITHIN` and `REPEATS` are positive, `STOP` is later than `START`,
//! and a `MATCHES` regular expression is syntactically plausible (balanced groups and classes,
//! something before each quantifier). [`validate`] adds what `stix2-validator` checks on an
//! indicator's pattern: object types and top-level property names follow the STIX name rules.
//!
//! Errors give the 0-based character offset of the problem. Brackets and parentheses nest at
//! most [`MAX_DEPTH`] levels, so recursion is bounded; AND/OR/FOLLOWEDBY chains and qualifier
//! lists are flat vectors, so neither parsing nor dropping a long pattern recurses deeply.

use std::fmt;

/// The deepest nesting of `[` and `(` accepted.
pub const MAX_DEPTH: usize = 64;

/// Why a pattern is not valid, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("at offset {offset}: {message}")]
pub struct PatternError {
    /// 0-based offset, in characters, of the problem in the pattern.
    pub offset: usize,
    pub message: String,
}

/// A parsed STIX pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub expression: ObservationExpression,
}

/// An observation expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ObservationExpression {
    /// `[ … ]`.
    Observation(ComparisonExpression),
    /// `( … )`, kept because qualifiers on a group may repeat a kind.
    Group(Box<ObservationExpression>),
    /// Two or more operands joined by `AND`.
    And(Vec<ObservationExpression>),
    /// Two or more operands joined by `OR`.
    Or(Vec<ObservationExpression>),
    /// Two or more operands joined by `FOLLOWEDBY`.
    FollowedBy(Vec<ObservationExpression>),
    /// An observation or group with its qualifiers, in order.
    Qualified(Box<ObservationExpression>, Vec<Qualifier>),
}

/// A qualifier of an observation expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Qualifier {
    /// `WITHIN n SECONDS`, n > 0.
    Within(f64),
    /// `REPEATS n TIMES`, n ≥ 1.
    Repeats(u64),
    /// `START t'…' STOP t'…'`, the timestamps as written.
    StartStop { start: String, stop: String },
}

/// A comparison expression (inside `[ … ]`).
#[derive(Clone, Debug, PartialEq)]
pub enum ComparisonExpression {
    /// Two or more operands joined by `AND`.
    And(Vec<ComparisonExpression>),
    /// Two or more operands joined by `OR`.
    Or(Vec<ComparisonExpression>),
    Comparison(Comparison),
}

/// One comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Comparison {
    /// `EXISTS path`.
    Exists(ObjectPath),
    /// `path [NOT] operator value`.
    Compare {
        path: ObjectPath,
        negated: bool,
        operator: Operator,
        value: Constant,
    },
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Equal,
    NotEqual,
    Greater,
    Less,
    GreaterOrEqual,
    LessOrEqual,
    In,
    Like,
    Matches,
    IsSubset,
    IsSuperset,
}

/// An object path: `type:property` then `.key`, `[index]` or `[*]` steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectPath {
    pub object_type: String,
    pub property: String,
    pub steps: Vec<PathStep>,
}

/// One step of an object path after its property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// `.name` or `.'quoted name'`.
    Key(String),
    /// `[n]`.
    Index(i64),
    /// `[*]`.
    AnyIndex,
}

/// A constant.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    Integer(i64),
    Float(f64),
    /// The string, unescaped.
    String(String),
    Boolean(bool),
    /// `b'…'`: the base64 text.
    Binary(String),
    /// `h'…'`: the hexadecimal digits.
    Hex(String),
    /// `t'…'`: the timestamp as written.
    Timestamp(String),
    /// `( … )`, the right side of `IN`.
    Set(Vec<Constant>),
}

/// Parses a STIX 2.1 pattern (the grammar and the value checks of the module documentation).
pub fn parse(text: &str) -> Result<Pattern, PatternError> {
    Parser::run(text, false)
}

/// Parses a STIX 2.1 pattern and checks that its object types and top-level property names
/// follow the STIX name rules, as an indicator's pattern must.
pub fn validate(text: &str) -> Result<Pattern, PatternError> {
    Parser::run(text, true)
}

// --- errors ------------------------------------------------------------------------------------

/// An error at a byte offset; converted to a character offset once, at the end.
struct Fail {
    at: usize,
    message: String,
}

type Parsed<T> = Result<T, Fail>;

fn fail<T>(at: usize, message: impl Into<String>) -> Parsed<T> {
    Err(Fail {
        at,
        message: message.into(),
    })
}

impl Fail {
    fn into_error(self, text: &str) -> PatternError {
        PatternError {
            offset: text
                .char_indices()
                .take_while(|&(index, _)| index < self.at)
                .count(),
            message: self.message,
        }
    }
}

/// `text` cut to at most `max` characters, marked with `…` when cut.
fn shortened(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

// --- lexer -------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Keyword {
    And,
    Or,
    Not,
    FollowedBy,
    Like,
    Matches,
    IsSuperset,
    IsSubset,
    Exists,
    Last,
    In,
    Start,
    Stop,
    Seconds,
    Within,
    Repeats,
    Times,
}

/// The grammar's keywords: exactly these spellings (upper case).
const KEYWORDS: [(&str, Keyword); 17] = [
    ("AND", Keyword::And),
    ("OR", Keyword::Or),
    ("NOT", Keyword::Not),
    ("FOLLOWEDBY", Keyword::FollowedBy),
    ("LIKE", Keyword::Like),
    ("MATCHES", Keyword::Matches),
    ("ISSUPERSET", Keyword::IsSuperset),
    ("ISSUBSET", Keyword::IsSubset),
    ("EXISTS", Keyword::Exists),
    ("LAST", Keyword::Last),
    ("IN", Keyword::In),
    ("START", Keyword::Start),
    ("STOP", Keyword::Stop),
    ("SECONDS", Keyword::Seconds),
    ("WITHIN", Keyword::Within),
    ("REPEATS", Keyword::Repeats),
    ("TIMES", Keyword::Times),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    LBrack,
    RBrack,
    LParen,
    RParen,
    Colon,
    Dot,
    Comma,
    Star,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Keyword(Keyword),
    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not a keyword.
    Ident,
    /// An identifier with a hyphen (an object type only).
    HyphenIdent,
    Str,
    /// With its sign, if any.
    Int,
    Float,
    Hex,
    Binary,
    Timestamp,
    Bool(bool),
    End,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    /// Byte range in the pattern.
    start: usize,
    end: usize,
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// The grammar's whitespace: `[ \t\r\n\u000B\u000C\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029
/// \u202f\u205f\u3000]`.
fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '\u{B}' | '\u{C}' | '\u{85}' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.bytes.get(at).copied()
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|rest| rest.chars().next())
    }

    /// Skips whitespace and `/* … */` and `// …` comments.
    fn skip_space(&mut self) -> Parsed<()> {
        loop {
            match (self.byte(self.pos), self.byte(self.pos + 1)) {
                (Some(b'/'), Some(b'*')) => {
                    let body = self.text.get(self.pos + 2..).unwrap_or("");
                    match body.find("*/") {
                        Some(end) => self.pos += 2 + end + 2,
                        None => return fail(self.pos, "unterminated comment (missing */)"),
                    }
                }
                (Some(b'/'), Some(b'/')) => {
                    let body = self.text.get(self.pos..).unwrap_or("");
                    self.pos += body.find(['\r', '\n']).unwrap_or(body.len());
                }
                _ => match self.char_at(self.pos) {
                    Some(c) if is_space(c) => self.pos += c.len_utf8(),
                    _ => return Ok(()),
                },
            }
        }
    }

    fn next(&mut self) -> Parsed<Token> {
        self.skip_space()?;
        let start = self.pos;
        let Some(first) = self.byte(start) else {
            return Ok(Token {
                kind: Kind::End,
                start,
                end: start,
            });
        };
        let second = self.byte(start + 1);
        let (kind, len) = match first {
            b'[' => (Kind::LBrack, 1),
            b']' => (Kind::RBrack, 1),
            b'(' => (Kind::LParen, 1),
            b')' => (Kind::RParen, 1),
            b':' => (Kind::Colon, 1),
            b',' => (Kind::Comma, 1),
            b'*' => (Kind::Star, 1),
            b'=' if second == Some(b'=') => (Kind::Eq, 2),
            b'=' => (Kind::Eq, 1),
            b'!' if second == Some(b'=') => (Kind::Ne, 2),
            b'<' if second == Some(b'>') => (Kind::Ne, 2),
            b'<' if second == Some(b'=') => (Kind::Le, 2),
            b'<' => (Kind::Lt, 1),
            b'>' if second == Some(b'=') => (Kind::Ge, 2),
            b'>' => (Kind::Gt, 1),
            b'\'' => return self.string(start),
            b'h' | b'b' | b't' if second == Some(b'\'') => return self.prefixed(first, start),
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => return Ok(self.identifier(start)),
            b'0'..=b'9' | b'+' | b'-' | b'.' => return self.number(start),
            _ => {
                let c = self.char_at(start).unwrap_or('\u{FFFD}');
                let hint = match c {
                    '"' => " (strings are in single quotes)",
                    '!' => " (use != or NOT)",
                    _ => "",
                };
                return fail(start, format!("unexpected character {c:?}{hint}"));
            }
        };
        self.pos = start + len;
        Ok(Token {
            kind,
            start,
            end: self.pos,
        })
    }

    fn token(&mut self, kind: Kind, start: usize, end: usize) -> Parsed<Token> {
        self.pos = end;
        Ok(Token { kind, start, end })
    }

    /// `'…'` with the escapes `\\` and `\'` only.
    fn string(&mut self, start: usize) -> Parsed<Token> {
        let mut at = start + 1;
        loop {
            match self.byte(at) {
                None => return fail(start, "unterminated string (missing closing ')"),
                Some(b'\'') => return self.token(Kind::Str, start, at + 1),
                Some(b'\\') => match self.byte(at + 1) {
                    Some(b'\\' | b'\'') => at += 2,
                    _ => {
                        let escaped = self
                            .char_at(at + 1)
                            .map_or_else(|| "\\".to_owned(), |c| format!("\\{c}"));
                        return fail(
                            at,
                            format!(
                                "invalid escape {escaped:?} in a string: only \\\\ and \\' are \
                                 allowed (write a backslash as \\\\)"
                            ),
                        );
                    }
                },
                Some(_) => at += 1,
            }
        }
    }

    /// `h'…'`, `b'…'` or `t'…'`.
    fn prefixed(&mut self, prefix: u8, start: usize) -> Parsed<Token> {
        let body_start = start + 2;
        let Some(close) = self
            .bytes
            .get(body_start..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\''))
            .map(|offset| body_start + offset)
        else {
            return fail(
                start,
                format!("unterminated {}'…' literal", char::from(prefix)),
            );
        };
        let body = self.text.get(body_start..close).unwrap_or("");
        let problem = match prefix {
            b'h' => hex_problem(body),
            b'b' => base64_problem(body),
            _ => timestamp_problem(body),
        };
        if let Some(problem) = problem {
            return fail(start, problem);
        }
        let kind = match prefix {
            b'h' => Kind::Hex,
            b'b' => Kind::Binary,
            _ => Kind::Timestamp,
        };
        self.token(kind, start, close + 1)
    }

    fn identifier(&mut self, start: usize) -> Token {
        let mut end = start;
        while let Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'-') = self.byte(end) {
            end += 1;
        }
        let word = self.text.get(start..end).unwrap_or("");
        let kind = match word {
            "true" => Kind::Bool(true),
            "false" => Kind::Bool(false),
            _ => match KEYWORDS.iter().find(|(spelling, _)| *spelling == word) {
                Some(&(_, keyword)) => Kind::Keyword(keyword),
                None if word.contains('-') => Kind::HyphenIdent,
                None => Kind::Ident,
            },
        };
        self.pos = end;
        Token { kind, start, end }
    }

    /// `[+-]?(0|[1-9][0-9]*)` or `[+-]?[0-9]*\.[0-9]+`; a `.` not followed by a digit is a dot.
    fn number(&mut self, start: usize) -> Parsed<Token> {
        let signed = matches!(self.byte(start), Some(b'+' | b'-'));
        let digits = if signed { start + 1 } else { start };
        let mut end = digits;
        while let Some(b'0'..=b'9') = self.byte(end) {
            end += 1;
        }
        if self.byte(end) == Some(b'.') && matches!(self.byte(end + 1), Some(b'0'..=b'9')) {
            end += 1;
            while let Some(b'0'..=b'9') = self.byte(end) {
                end += 1;
            }
            return self.token(Kind::Float, start, end);
        }
        match end - digits {
            0 if !signed => self.token(Kind::Dot, start, start + 1),
            0 => fail(start, "a sign must be followed by a number"),
            1 => self.token(Kind::Int, start, end),
            _ if self.byte(digits) == Some(b'0') => fail(
                start,
                "an integer cannot start with 0 (write it without leading zeros)",
            ),
            _ => self.token(Kind::Int, start, end),
        }
    }
}

fn hex_problem(body: &str) -> Option<String> {
    if let Some(c) = body.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Some(format!(
            "invalid hex literal: {c:?} is not a hexadecimal digit"
        ));
    }
    (!body.len().is_multiple_of(2)).then(|| {
        format!(
            "invalid hex literal: {} hexadecimal digits, not an even number",
            body.len()
        )
    })
}

/// Padded base64, at least one group of four characters (as the grammar requires).
fn base64_problem(body: &str) -> Option<String> {
    let is_char = |b: &u8| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/';
    let bytes = body.as_bytes();
    if bytes.is_empty() {
        return Some("invalid binary literal: b'' is empty".to_owned());
    }
    if !bytes.len().is_multiple_of(4) {
        return Some(format!(
            "invalid binary literal: base64 of {} characters, not a multiple of 4 (pad with =)",
            body.chars().count()
        ));
    }
    let padding = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    let data = &bytes[..bytes.len() - padding];
    if padding > 2 || !data.iter().all(is_char) {
        return Some(
            "invalid binary literal: not base64 (A-Z a-z 0-9 + / and = at the end)".into(),
        );
    }
    None
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, a real date and time (a leap second `:60` is allowed).
fn timestamp_problem(body: &str) -> Option<String> {
    ident::stix_timestamp_problem(body)
        .map(|what| format!("invalid timestamp t'{}': {what}", shortened(body, 40)))
}

// --- parser ------------------------------------------------------------------------------------

struct Parser<'a> {
    text: &'a str,
    lexer: Lexer<'a>,
    token: Token,
    depth: usize,
    /// Check the STIX name rules on object types and properties.
    names: bool,
}

impl<'a> Parser<'a> {
    fn run(text: &str, names: bool) -> Result<Pattern, PatternError> {
        let parsed = (|| {
            let mut lexer = Lexer::new(text);
            let token = lexer.next()?;
            let mut parser = Parser {
                text,
                lexer,
                token,
                depth: 0,
                names,
            };
            let expression = parser.observation_expressions()?;
            if parser.token.kind != Kind::End {
                return parser.unexpected(
                    "AND, OR, FOLLOWEDBY, a qualifier (WITHIN, REPEATS, START) or the end",
                );
            }
            Ok(Pattern { expression })
        })();
        parsed.map_err(|failure| failure.into_error(text))
    }

    fn advance(&mut self) -> Parsed<()> {
        self.token = self.lexer.next()?;
        Ok(())
    }

    fn slice(&self, token: Token) -> &'a str {
        self.text.get(token.start..token.end).unwrap_or("")
    }

    fn at(&self, kind: Kind) -> bool {
        self.token.kind == kind
    }

    fn at_keyword(&self, keyword: Keyword) -> bool {
        self.token.kind == Kind::Keyword(keyword)
    }

    /// Consumes a token of `kind`, else fails with "expected `what`".
    fn expect(&mut self, kind: Kind, what: &str) -> Parsed<()> {
        if self.at(kind) {
            self.advance()
        } else {
            self.unexpected(what)
        }
    }

    fn unexpected<T>(&self, expected: &str) -> Parsed<T> {
        let token = self.token;
        let found = if token.kind == Kind::End {
            "the end of the pattern".to_owned()
        } else {
            format!("\"{}\"", shortened(self.slice(token), 24))
        };
        let word = self.slice(token);
        let hint = if matches!(token.kind, Kind::Ident | Kind::HyphenIdent)
            && KEYWORDS
                .iter()
                .any(|(spelling, _)| spelling.eq_ignore_ascii_case(word))
        {
            " (keywords are upper case)"
        } else if matches!(word, "TRUE" | "FALSE" | "True" | "False") {
            " (booleans are true and false)"
        } else {
            ""
        };
        fail(
            token.start,
            format!("expected {expected}, found {found}{hint}"),
        )
    }

    fn enter(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return fail(
                self.token.start,
                format!("brackets and parentheses nested deeper than {MAX_DEPTH} levels"),
            );
        }
        self.advance()
    }

    // Observation expressions: FOLLOWEDBY < OR < AND < qualifiers.

    fn observation_expressions(&mut self) -> Parsed<ObservationExpression> {
        let first = self.observation_or()?;
        if !self.at_keyword(Keyword::FollowedBy) {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.at_keyword(Keyword::FollowedBy) {
            self.advance()?;
            operands.push(self.observation_or()?);
        }
        Ok(ObservationExpression::FollowedBy(operands))
    }

    fn observation_or(&mut self) -> Parsed<ObservationExpression> {
        let first = self.observation_and()?;
        if !self.at_keyword(Keyword::Or) {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.at_keyword(Keyword::Or) {
            self.advance()?;
            operands.push(self.observation_and()?);
        }
        Ok(ObservationExpression::Or(operands))
    }

    fn observation_and(&mut self) -> Parsed<ObservationExpression> {
        let first = self.observation_qualified()?;
        if !self.at_keyword(Keyword::And) {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.at_keyword(Keyword::And) {
            self.advance()?;
            operands.push(self.observation_qualified()?);
        }
        Ok(ObservationExpression::And(operands))
    }

    fn observation_qualified(&mut self) -> Parsed<ObservationExpression> {
        let base = self.observation()?;
        // Qualifiers directly on `[…]` are one of each kind; on a group they may repeat.
        let simple = matches!(base, ObservationExpression::Observation(_));
        let mut qualifiers: Vec<Qualifier> = Vec::new();
        loop {
            let start = self.token.start;
            let qualifier = match self.token.kind {
                Kind::Keyword(Keyword::Within) => self.within()?,
                Kind::Keyword(Keyword::Repeats) => self.repeats()?,
                Kind::Keyword(Keyword::Start) => self.start_stop()?,
                _ => break,
            };
            if simple
                && qualifiers
                    .iter()
                    .any(|seen| std::mem::discriminant(seen) == std::mem::discriminant(&qualifier))
            {
                let name = match qualifier {
                    Qualifier::Within(_) => "WITHIN",
                    Qualifier::Repeats(_) => "REPEATS",
                    Qualifier::StartStop { .. } => "START/STOP",
                };
                return fail(
                    start,
                    format!(
                        "duplicate {name} qualifier on one observation expression \
                         (group it in parentheses to qualify it again)"
                    ),
                );
            }
            qualifiers.push(qualifier);
        }
        Ok(if qualifiers.is_empty() {
            base
        } else {
            ObservationExpression::Qualified(Box::new(base), qualifiers)
        })
    }

    fn observation(&mut self) -> Parsed<ObservationExpression> {
        match self.token.kind {
            Kind::LBrack => {
                self.enter()?;
                let comparison = self.comparison_or()?;
                self.expect(Kind::RBrack, "AND, OR or ']'")?;
                self.depth -= 1;
                Ok(ObservationExpression::Observation(comparison))
            }
            Kind::LParen => {
                self.enter()?;
                let inner = self.observation_expressions()?;
                self.expect(Kind::RParen, "AND, OR, FOLLOWEDBY, a qualifier or ')'")?;
                self.depth -= 1;
                Ok(ObservationExpression::Group(Box::new(inner)))
            }
            Kind::Ident | Kind::HyphenIdent => self.unexpected(
                "an observation expression '[…]' or '(' (comparisons go inside square \
                 brackets: [type:property = value])",
            ),
            _ => self.unexpected("an observation expression '[…]' or '('"),
        }
    }

    fn within(&mut self) -> Parsed<Qualifier> {
        self.advance()?;
        let token = self.token;
        let text = self.slice(token);
        let seconds = match token.kind {
            Kind::Int | Kind::Float if !text.starts_with('-') => text
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s > 0.0),
            _ => return self.unexpected("a positive number of seconds after WITHIN"),
        };
        let Some(seconds) = seconds else {
            return fail(
                token.start,
                "WITHIN needs a positive, finite number of seconds",
            );
        };
        self.advance()?;
        self.expect(
            Kind::Keyword(Keyword::Seconds),
            "SECONDS (the only unit of WITHIN)",
        )?;
        Ok(Qualifier::Within(seconds))
    }

    fn repeats(&mut self) -> Parsed<Qualifier> {
        self.advance()?;
        let token = self.token;
        let text = self.slice(token);
        if token.kind != Kind::Int || text.starts_with('-') {
            return self.unexpected("a positive integer after REPEATS");
        }
        let Some(times) = text.parse::<u64>().ok().filter(|&n| n >= 1) else {
            return fail(
                token.start,
                "REPEATS needs a positive integer within 64 bits",
            );
        };
        self.advance()?;
        self.expect(Kind::Keyword(Keyword::Times), "TIMES after REPEATS n")?;
        Ok(Qualifier::Repeats(times))
    }

    fn start_stop(&mut self) -> Parsed<Qualifier> {
        self.advance()?;
        let start = self.timestamp("a timestamp t'…' after START")?;
        self.expect(Kind::Keyword(Keyword::Stop), "STOP after START t'…'")?;
        let stop_at = self.token.start;
        let stop = self.timestamp("a timestamp t'…' after STOP")?;
        if timestamp_order(&stop) <= timestamp_order(&start) {
            return fail(stop_at, "the STOP time must be later than the START time");
        }
        Ok(Qualifier::StartStop { start, stop })
    }

    fn timestamp(&mut self, what: &str) -> Parsed<String> {
        if !self.at(Kind::Timestamp) {
            return self.unexpected(what);
        }
        let value = literal_body(self.slice(self.token)).to_owned();
        self.advance()?;
        Ok(value)
    }

    // Comparison expressions: OR < AND.

    fn comparison_or(&mut self) -> Parsed<ComparisonExpression> {
        let first = self.comparison_and()?;
        if !self.at_keyword(Keyword::Or) {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.at_keyword(Keyword::Or) {
            self.advance()?;
            operands.push(self.comparison_and()?);
        }
        Ok(ComparisonExpression::Or(operands))
    }

    fn comparison_and(&mut self) -> Parsed<ComparisonExpression> {
        let first = self.comparison_primary()?;
        if !self.at_keyword(Keyword::And) {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.at_keyword(Keyword::And) {
            self.advance()?;
            operands.push(self.comparison_primary()?);
        }
        Ok(ComparisonExpression::And(operands))
    }

    fn comparison_primary(&mut self) -> Parsed<ComparisonExpression> {
        match self.token.kind {
            Kind::LParen => {
                self.enter()?;
                let inner = self.comparison_or()?;
                self.expect(Kind::RParen, "AND, OR or ')'")?;
                self.depth -= 1;
                Ok(inner)
            }
            Kind::Keyword(Keyword::Exists) => {
                self.advance()?;
                let path = self.object_path()?;
                Ok(ComparisonExpression::Comparison(Comparison::Exists(path)))
            }
            Kind::Ident | Kind::HyphenIdent => self.comparison(),
            _ => self.unexpected("a comparison (type:property …, EXISTS or '(')"),
        }
    }

    fn comparison(&mut self) -> Parsed<ComparisonExpression> {
        let path = self.object_path()?;
        let negated = self.at_keyword(Keyword::Not);
        if negated {
            self.advance()?;
        }
        let operator_token = self.token;
        let operator = match operator_token.kind {
            Kind::Eq => Operator::Equal,
            Kind::Ne => Operator::NotEqual,
            Kind::Gt => Operator::Greater,
            Kind::Lt => Operator::Less,
            Kind::Ge => Operator::GreaterOrEqual,
            Kind::Le => Operator::LessOrEqual,
            Kind::Keyword(Keyword::In) => Operator::In,
            Kind::Keyword(Keyword::Like) => Operator::Like,
            Kind::Keyword(Keyword::Matches) => Operator::Matches,
            Kind::Keyword(Keyword::IsSubset) => Operator::IsSubset,
            Kind::Keyword(Keyword::IsSuperset) => Operator::IsSuperset,
            _ => {
                return self.unexpected(
                    "a comparison operator (= != < <= > >= IN LIKE MATCHES ISSUBSET ISSUPERSET)",
                );
            }
        };
        let operator_text = self.slice(operator_token);
        self.advance()?;
        let value_at = self.token.start;
        let value = match operator {
            Operator::Equal | Operator::NotEqual => {
                self.constant(&format!("a constant after '{operator_text}'"), false)?
            }
            Operator::Greater
            | Operator::Less
            | Operator::GreaterOrEqual
            | Operator::LessOrEqual => {
                self.constant(&format!("a constant after '{operator_text}'"), true)?
            }
            Operator::In => self.set()?,
            Operator::Like | Operator::Matches | Operator::IsSubset | Operator::IsSuperset => {
                if !self.at(Kind::Str) {
                    return self.unexpected(&format!("a string after {operator_text}"));
                }
                let raw = self.slice(self.token);
                if operator == Operator::Matches
                    && let Some((index, problem)) = regex_problem(&unescape(raw))
                {
                    return fail(
                        value_at + source_index(raw, index),
                        format!("invalid regular expression after MATCHES: {problem}"),
                    );
                }
                let value = Constant::String(unescape(raw));
                self.advance()?;
                value
            }
        };
        if let Some(problem) = hash_problem(&path, operator, &value) {
            return fail(value_at, problem);
        }
        Ok(ComparisonExpression::Comparison(Comparison::Compare {
            path,
            negated,
            operator,
            value,
        }))
    }

    fn set(&mut self) -> Parsed<Constant> {
        if !self.at(Kind::LParen) {
            return self.unexpected("a set '(…)' after IN");
        }
        self.advance()?;
        let mut members = Vec::new();
        if self.at(Kind::RParen) {
            self.advance()?;
            return Ok(Constant::Set(members));
        }
        loop {
            members.push(self.constant("a constant in the set", false)?);
            match self.token.kind {
                Kind::Comma => self.advance()?,
                Kind::RParen => {
                    self.advance()?;
                    return Ok(Constant::Set(members));
                }
                _ => return self.unexpected("',' or ')' in the set"),
            }
        }
    }

    /// A constant other than a set; `ordered` refuses booleans (the operands of < <= > >=).
    fn constant(&mut self, what: &str, ordered: bool) -> Parsed<Constant> {
        let token = self.token;
        let text = self.slice(token);
        let value = match token.kind {
            Kind::Int => match text.parse::<i64>() {
                Ok(n) => Constant::Integer(n),
                Err(_) => return fail(token.start, "integer out of the 64-bit range"),
            },
            Kind::Float => match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Constant::Float(x),
                _ => return fail(token.start, "number out of the 64-bit floating-point range"),
            },
            Kind::Str => Constant::String(unescape(text)),
            Kind::Bool(_) if ordered => {
                return fail(
                    token.start,
                    "true and false cannot be compared with < <= > >=",
                );
            }
            Kind::Bool(value) => Constant::Boolean(value),
            Kind::Hex => Constant::Hex(literal_body(text).to_owned()),
            Kind::Binary => Constant::Binary(literal_body(text).to_owned()),
            Kind::Timestamp => Constant::Timestamp(literal_body(text).to_owned()),
            _ => return self.unexpected(what),
        };
        self.advance()?;
        Ok(value)
    }

    fn object_path(&mut self) -> Parsed<ObjectPath> {
        let type_token = self.token;
        if !matches!(type_token.kind, Kind::Ident | Kind::HyphenIdent) {
            return self.unexpected("an object type");
        }
        let object_type = self.slice(type_token).to_owned();
        if self.names && !is_type_name(&object_type) {
            return fail(
                type_token.start,
                format!(
                    "\"{}\" is not a STIX object type name (3 to 250 characters: a-z, 0-9 \
                     and single hyphens, starting with a letter)",
                    shortened(&object_type, 40)
                ),
            );
        }
        self.advance()?;
        self.expect(Kind::Colon, "':' after the object type")?;
        let property_token = self.token;
        let property = match property_token.kind {
            Kind::Ident => self.slice(property_token).to_owned(),
            Kind::Str => unescape(self.slice(property_token)),
            Kind::HyphenIdent => {
                return fail(
                    property_token.start,
                    "a property name with '-' must be quoted ('…')",
                );
            }
            _ => return self.unexpected("a property name after ':'"),
        };
        if self.names && !is_property_name(&property) {
            return fail(
                property_token.start,
                format!(
                    "\"{}\" is not a STIX property name (3 to 250 characters: a-z, 0-9 and _)",
                    shortened(&property, 40)
                ),
            );
        }
        self.advance()?;
        let mut steps = Vec::new();
        loop {
            match self.token.kind {
                Kind::Dot => {
                    self.advance()?;
                    let key = match self.token.kind {
                        Kind::Ident => self.slice(self.token).to_owned(),
                        Kind::Str => unescape(self.slice(self.token)),
                        Kind::HyphenIdent => {
                            return fail(self.token.start, "a key with '-' must be quoted ('…')");
                        }
                        _ => return self.unexpected("a property name or quoted key after '.'"),
                    };
                    self.advance()?;
                    steps.push(PathStep::Key(key));
                }
                Kind::LBrack => {
                    self.advance()?;
                    let token = self.token;
                    let step = match token.kind {
                        Kind::Star => PathStep::AnyIndex,
                        Kind::Int => match self.slice(token).parse::<i64>() {
                            Ok(index) => PathStep::Index(index),
                            Err(_) => return fail(token.start, "index out of the 64-bit range"),
                        },
                        _ => return self.unexpected("an integer index or '*'"),
                    };
                    self.advance()?;
                    self.expect(Kind::RBrack, "']' after the index")?;
                    steps.push(step);
                }
                _ => break,
            }
        }
        Ok(ObjectPath {
            object_type,
            property,
            steps,
        })
    }
}

/// The text between the quotes of `'…'`, `h'…'`, `b'…'` or `t'…'`.
fn literal_body(token: &str) -> &str {
    let start = token.find('\'').map_or(0, |quote| quote + 1);
    token
        .get(start..token.len().saturating_sub(1))
        .unwrap_or("")
}

/// The value of a string token (`\\` and `\'` unescaped).
fn unescape(token: &str) -> String {
    let mut value = String::with_capacity(token.len());
    let mut chars = literal_body(token).chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            value.extend(chars.next());
        } else {
            value.push(c);
        }
    }
    value
}

/// The byte offset in the string token `token` of the `index`-th character of its value.
fn source_index(token: &str, index: usize) -> usize {
    let mut seen = 0;
    let mut chars = token.char_indices().skip(1).peekable();
    while let Some((at, c)) = chars.next() {
        if seen == index || c == '\'' && chars.peek().is_none() {
            return at;
        }
        if c == '\\' {
            chars.next();
        }
        seen += 1;
    }
    0
}

/// Orders `YYYY-MM-DDTHH:MM:SS[.fff…]Z` timestamps by time whatever their precision.
fn timestamp_order(timestamp: &str) -> (&str, &str) {
    let body = timestamp.strip_suffix('Z').unwrap_or(timestamp);
    let (seconds, fraction) = body.split_once('.').unwrap_or((body, ""));
    (seconds, fraction.trim_end_matches('0'))
}

/// The STIX 2.1 rule for type names (the `type` pattern of the OASIS schemas, 3 to 250
/// characters).
fn is_type_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=250).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && !name.contains("--")
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// The STIX 2.1 rule for property names as `stix2-validator` applies it to patterns; `id`, the
/// one shorter common property, is allowed too.
fn is_property_name(name: &str) -> bool {
    name == "id"
        || ((3..=250).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'))
}

/// The value compared with a known hash algorithm (`…hashes.'SHA-256' = '…'`) must be a string
/// that looks like that hash, as the OASIS pattern validator checks (except that LIKE and
/// MATCHES take patterns, and each member of an IN set is checked).
fn hash_problem(path: &ObjectPath, operator: Operator, value: &Constant) -> Option<String> {
    if matches!(operator, Operator::Like | Operator::Matches) {
        return None;
    }
    let in_hashes = path.property == "hashes"
        || path
            .steps
            .iter()
            .any(|step| matches!(step, PathStep::Key(key) if key == "hashes"));
    let algorithm = match path.steps.last() {
        None => &path.property,
        Some(PathStep::Key(key)) => key,
        Some(_) => return None,
    };
    if !in_hashes {
        return None;
    }
    let normalized = algorithm.to_ascii_uppercase().replace('-', "");
    let (lengths, name): (&[usize], &str) = match normalized.as_str() {
        "MD5" => (&[32], "MD5"),
        "MD6" => (&[32, 40, 56, 64, 96, 128], "MD6"),
        "RIPEMD160" => (&[40], "RIPEMD-160"),
        "SHA1" => (&[40], "SHA-1"),
        "SHA224" | "SHA3224" => (&[56], algorithm),
        "SHA256" | "SHA3256" => (&[64], algorithm),
        "SHA384" | "SHA3384" => (&[96], algorithm),
        "SHA512" | "SHA3512" | "WHIRLPOOL" => (&[128], algorithm),
        "SSDEEP" => (&[], "SSDEEP"),
        _ => return None,
    };
    let check = |hash: &str| {
        let valid = if lengths.is_empty() {
            (1..=128).contains(&hash.len())
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b':' | b'.'))
        } else {
            lengths.contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        };
        (!valid).then(|| {
            let digits = lengths
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let form = if lengths.is_empty() {
                "1 to 128 characters of A-Z a-z 0-9 / + : .".to_owned()
            } else {
                format!("{digits} hexadecimal digits")
            };
            format!(
                "\"{}\" is not a valid {} hash ({form})",
                shortened(hash, 40),
                shortened(name, 20)
            )
        })
    };
    let check_constant = |constant: &Constant| match constant {
        Constant::String(hash) => check(hash),
        other => Some(format!(
            "a {} hash is a string, not {}",
            shortened(name, 20),
            shortened(&other.to_string(), 40)
        )),
    };
    match value {
        Constant::Set(members) => members.iter().find_map(check_constant),
        other => check_constant(other),
    }
}

/// A cheap plausibility check of a regular expression (PCRE as the spec says): every group and
/// character class is closed, no lone trailing backslash, and each quantifier follows
/// something it can repeat. Returns the character index of the problem and what it is.
fn regex_problem(regex: &str) -> Option<(usize, String)> {
    #[derive(PartialEq)]
    enum State {
        /// At the start of the expression, a group or an alternative.
        Empty,
        Atom,
        Quantified,
        /// After a lazy or possessive mark (`*?`, `++`).
        Marked,
    }
    let chars: Vec<char> = regex.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let mut open: Vec<usize> = Vec::new();
    let mut state = State::Empty;
    // Where the search for the ":]" closing a [:class:] resumes; None once there is none left.
    let mut posix_close = Some(0);
    let mut i = 0;
    while let Some(c) = at(i) {
        match c {
            '\\' => match at(i + 1) {
                None => return Some((i, "ends with a lone backslash".into())),
                Some('Q') => {
                    // \Q…\E quotes everything up to \E (or the end).
                    i += 2;
                    while i < chars.len() && !(at(i) == Some('\\') && at(i + 1) == Some('E')) {
                        i += 1;
                    }
                    i += 2;
                    state = State::Atom;
                }
                Some(_) => {
                    i += 2;
                    state = State::Atom;
                }
            },
            '[' => {
                let start = i;
                i += 1;
                if at(i) == Some('^') {
                    i += 1;
                }
                if at(i) == Some(']') {
                    i += 1;
                }
                loop {
                    match at(i) {
                        None => return Some((start, "'[' without a closing ']'".into())),
                        Some('\\') => i += 2,
                        Some('[') if at(i + 1) == Some(':') && posix_close.is_some() => {
                            // [:class:] inside a class; `posix_close` is the next ":]" at or
                            // after the cursor, searched forward only, so the scan stays linear.
                            let mut j = posix_close.unwrap_or(0).max(i + 2);
                            while j < chars.len() && !(at(j) == Some(':') && at(j + 1) == Some(']'))
                            {
                                j += 1;
                            }
                            if j < chars.len() {
                                posix_close = Some(j);
                                i = j + 2;
                            } else {
                                posix_close = None;
                                i += 1;
                            }
                        }
                        Some(']') => break,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
                state = State::Atom;
            }
            '(' => {
                open.push(i);
                i += 1;
                state = State::Empty;
                if at(i) == Some('?') {
                    i += 1;
                    if at(i) == Some('#') {
                        // (?#comment)
                        while i < chars.len() && at(i) != Some(')') {
                            i += 1;
                        }
                        if i >= chars.len() {
                            return Some((
                                open.pop().unwrap_or(0),
                                "'(?#' comment without ')'".into(),
                            ));
                        }
                        open.pop();
                        i += 1;
                    }
                    // The other (?…) forms (flags, lookaround, names, recursion) are accepted
                    // as written.
                    state = State::Atom;
                }
            }
            ')' => {
                if open.pop().is_none() {
                    return Some((i, "')' without a matching '('".into()));
                }
                i += 1;
                state = State::Atom;
            }
            '|' => {
                i += 1;
                state = State::Empty;
            }
            '*' | '+' | '?' => {
                state = match state {
                    State::Empty => {
                        return Some((i, format!("nothing to repeat before '{c}'")));
                    }
                    State::Atom => State::Quantified,
                    State::Quantified if c != '*' => State::Marked,
                    State::Quantified | State::Marked => {
                        return Some((i, format!("'{c}' cannot follow a quantifier")));
                    }
                };
                i += 1;
            }
            '{' => {
                // {n}, {n,}, {n,m} or {,m}; any other '{' is a literal.
                let mut j = i + 1;
                let mut numbers: [Option<u64>; 2] = [None, None];
                let mut comma = false;
                loop {
                    match at(j) {
                        Some(d @ '0'..='9') => {
                            let slot = &mut numbers[usize::from(comma)];
                            *slot = Some(
                                slot.unwrap_or(0)
                                    .saturating_mul(10)
                                    .saturating_add(u64::from(d) - u64::from('0')),
                            );
                        }
                        Some(',') if !comma => comma = true,
                        _ => break,
                    }
                    j += 1;
                }
                let quantifier =
                    at(j) == Some('}') && (numbers[0].is_some() || numbers[1].is_some());
                if quantifier && state == State::Atom {
                    if let [Some(low), Some(high)] = numbers
                        && low > high
                    {
                        return Some((
                            i,
                            format!("{{{low},{high}}}: the numbers are out of order"),
                        ));
                    }
                    state = State::Quantified;
                    i = j + 1;
                } else {
                    state = State::Atom;
                    i += 1;
                }
            }
            _ => {
                i += 1;
                state = State::Atom;
            }
        }
    }
    open.pop()
        .map(|start| (start, "'(' without a closing ')'".into()))
}

// --- display -----------------------------------------------------------------------------------

/// Writes the pattern in the canonical form; [`parse`] reads it back to the same value.
impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.expression.fmt(f)
    }
}

fn join<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T], separator: &str) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        item.fmt(f)?;
    }
    Ok(())
}

impl fmt::Display for ObservationExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Observation(comparison) => write!(f, "[{comparison}]"),
            Self::Group(inner) => write!(f, "({inner})"),
            Self::And(operands) => join(f, operands, " AND "),
            Self::Or(operands) => join(f, operands, " OR "),
            Self::FollowedBy(operands) => join(f, operands, " FOLLOWEDBY "),
            Self::Qualified(base, qualifiers) => {
                base.fmt(f)?;
                for qualifier in qualifiers {
                    write!(f, " {qualifier}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Qualifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Within(seconds) => write!(f, "WITHIN {seconds} SECONDS"),
            Self::Repeats(times) => write!(f, "REPEATS {times} TIMES"),
            Self::StartStop { start, stop } => write!(f, "START t'{start}' STOP t'{stop}'"),
        }
    }
}

impl fmt::Display for ComparisonExpression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (operands, separator, parenthesize_and) = match self {
            Self::Comparison(comparison) => return comparison.fmt(f),
            Self::And(operands) => (operands, " AND ", true),
            Self::Or(operands) => (operands, " OR ", false),
        };
        for (i, operand) in operands.iter().enumerate() {
            if i > 0 {
                f.write_str(separator)?;
            }
            match operand {
                Self::Or(_) => write!(f, "({operand})")?,
                Self::And(_) if parenthesize_and => write!(f, "({operand})")?,
                _ => operand.fmt(f)?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exists(path) => write!(f, "EXISTS {path}"),
            Self::Compare {
                path,
                negated,
                operator,
                value,
            } => {
                let not = if *negated { " NOT" } else { "" };
                write!(f, "{path}{not} {operator} {value}")
            }
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Equal => "=",
            Self::NotEqual => "!=",
            Self::Greater => ">",
            Self::Less => "<",
            Self::GreaterOrEqual => ">=",
            Self::LessOrEqual => "<=",
            Self::In => "IN",
            Self::Like => "LIKE",
            Self::Matches => "MATCHES",
            Self::IsSubset => "ISSUBSET",
            Self::IsSuperset => "ISSUPERSET",
        })
    }
}

/// A name as written in a path: bare when the grammar allows it, else quoted.
fn write_name(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let bare = name
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !matches!(name, "true" | "false")
        && !KEYWORDS.iter().any(|(spelling, _)| *spelling == name);
    if bare {
        f.write_str(name)
    } else {
        write_string(f, name)
    }
}

fn write_string(f: &mut fmt::Formatter<'_>, value: &str) -> fmt::Result {
    f.write_str("'")?;
    for c in value.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\'' => f.write_str("\\'")?,
            _ => fmt::Write::write_char(f, c)?,
        }
    }
    f.write_str("'")
}

impl fmt::Display for ObjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.object_type)?;
        write_name(f, &self.property)?;
        for step in &self.steps {
            match step {
                PathStep::Key(key) => {
                    f.write_str(".")?;
                    write_name(f, key)?;
                }
                PathStep::Index(index) => write!(f, "[{index}]")?,
                PathStep::AnyIndex => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Constant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Integer(n) => write!(f, "{n}"),
            Self::Float(x) => {
                let text = x.to_string();
                if text.contains('.') {
                    f.write_str(&text)
                } else {
                    write!(f, "{text}.0")
                }
            }
            Self::String(value) => write_string(f, value),
            Self::Boolean(value) => write!(f, "{value}"),
            Self::Binary(text) => write!(f, "b'{text}'"),
            Self::Hex(text) => write!(f, "h'{text}'"),
            Self::Timestamp(text) => write!(f, "t'{text}'"),
            Self::Set(members) => {
                f.write_str("(")?;
                join(f, members, ", ")?;
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests;
