-- Full-text search over trace input and output, for any language: FTS5 with the trigram tokenizer matches any
-- substring of three characters or more (https://www.sqlite.org/fts5.html#the_trigram_tokenizer).
-- External content: the text lives once, in traces; triggers keep the index in step with every write path.

CREATE VIRTUAL TABLE trace_search USING fts5(
    input, output, content='traces', content_rowid='rowid', tokenize='trigram'
);

INSERT INTO trace_search (rowid, input, output) SELECT rowid, input, output FROM traces;

CREATE TRIGGER trace_search_insert AFTER INSERT ON traces BEGIN
    INSERT INTO trace_search (rowid, input, output) VALUES (new.rowid, new.input, new.output);
END;

CREATE TRIGGER trace_search_delete AFTER DELETE ON traces BEGIN
    INSERT INTO trace_search (trace_search, rowid, input, output) VALUES ('delete', old.rowid, old.input, old.output);
END;

CREATE TRIGGER trace_search_update AFTER UPDATE OF input, output ON traces
WHEN old.input IS NOT new.input OR old.output IS NOT new.output BEGIN
    INSERT INTO trace_search (trace_search, rowid, input, output) VALUES ('delete', old.rowid, old.input, old.output);
    INSERT INTO trace_search (rowid, input, output) VALUES (new.rowid, new.input, new.output);
END;
