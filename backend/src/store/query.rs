//! Dynamic SQL for the generic store: text and bound values built side by side, so each
//! placeholder is written by the database's own `Arguments` (`$n` on Postgres, `?` on SQLite).
//!
//! sqlx's `QueryBuilder` lends its arguments to the query it builds; in code generic over the
//! database the borrow checker then cannot see that the builder may be dropped afterwards. Here
//! the text and the arguments are handed out by value instead.
use sqlx::error::BoxDynError;
use sqlx::{Arguments, Database, Encode, Type};

pub struct SqlBuf<'a, D: Database> {
    text: String,
    args: D::Arguments<'a>,
    error: Option<BoxDynError>,
}

impl<'a, D: Database> SqlBuf<'a, D> {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            args: Default::default(),
            error: None,
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder and binds `value` to it.
    pub fn bind<T: 'a + Encode<'a, D> + Type<D>>(&mut self, value: T) -> &mut Self {
        if let Err(e) = self.args.add(value) {
            self.error.get_or_insert(e);
        }
        if let Err(e) = self.args.format_placeholder(&mut self.text) {
            self.error.get_or_insert(Box::new(e));
        }
        self
    }

    /// `v1, v2, …` as placeholders.
    pub fn bind_list<T, I>(&mut self, values: I) -> &mut Self
    where
        T: 'a + Encode<'a, D> + Type<D>,
        I: IntoIterator<Item = T>,
    {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self
    }

    /// ` VALUES (…), (…)`: one parenthesised row per item, its values bound by `row`.
    pub fn values<I>(&mut self, items: I, mut row: impl FnMut(&mut Row<'_, 'a, D>, I::Item))
    where
        I: IntoIterator,
    {
        self.push(" VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            row(
                &mut Row {
                    buf: self,
                    first: true,
                },
                item,
            );
            self.push(")");
        }
    }

    /// The text and its arguments, for `sqlx::query_with` and friends.
    pub fn finish(self) -> Result<(String, D::Arguments<'a>), sqlx::Error> {
        match self.error {
            Some(e) => Err(sqlx::Error::Encode(e)),
            None => Ok((self.text, self.args)),
        }
    }
}

/// One row of [`SqlBuf::values`]: comma-separated binds.
pub struct Row<'b, 'a, D: Database> {
    buf: &'b mut SqlBuf<'a, D>,
    first: bool,
}

impl<'a, D: Database> Row<'_, 'a, D> {
    pub fn bind<T: 'a + Encode<'a, D> + Type<D>>(&mut self, value: T) -> &mut Self {
        if !self.first {
            self.buf.push(", ");
        }
        self.first = false;
        self.buf.bind(value);
        self
    }
}
