//! Printing a list the store hands over a page at a time: as lines of text for people, or
//! one JSON object per line for scripts.

use hindsight_store::Page;
use serde::Serialize;

/// Prints up to `limit` items that `fetch` gives at most `page_size` at a time (it is given
/// the cursor of the next page and how many to read): one JSON object per line when `json`,
/// else the line `line` writes for each.
pub async fn print_pages<T: Serialize>(
    limit: usize,
    page_size: usize,
    json: bool,
    mut fetch: impl AsyncFnMut(Option<String>, i64) -> anyhow::Result<Page<T>>,
    line: impl Fn(&T) -> anyhow::Result<String>,
) -> anyhow::Result<()> {
    let mut cursor: Option<String> = None;
    let mut printed = 0;
    while printed < limit {
        let want = (limit - printed).min(page_size) as i64;
        let page = fetch(cursor.take(), want).await?;
        for item in &page.items {
            if json {
                println!("{}", serde_json::to_string(item)?);
            } else {
                println!("{}", line(item)?);
            }
        }
        printed += page.items.len();
        match page.next_cursor {
            Some(next) if !page.items.is_empty() => cursor = Some(next),
            _ => break,
        }
    }
    Ok(())
}
