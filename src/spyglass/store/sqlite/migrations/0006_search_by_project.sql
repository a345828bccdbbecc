-- Search scoped per project: the project id is an indexed column of the trigram index, and every search matches
-- it together with the text (`project_id : "<id>" AND {input output} : "<text>"`), so what a search collects and
-- counts is the caller's traces only, and its cost does not depend on how often other projects hold the text.

DROP TRIGGER trace_search_insert;
DROP TRIGGER trace_search_delete;
DROP TRIGGER trace_search_update;
DROP TABLE trace_search;

CREATE VIRTUAL TABLE trace_search USING fts5(
    project_id, input, output, content='traces', content_rowid='rowid', tokenize='trigram'
);

INSERT INTO trace_search (trace_search) VALUES ('rebuild');

CREATE TRIGGER trace_search_insert AFTER INSERT ON traces BEGIN
    INSERT INTO trace_search (rowid, project_id, input, output)
    VALUES (new.rowid, new.project_id, new.input, new.output);
END;

CREATE TRIGGER trace_search_delete AFTER DELETE ON traces BEGIN
    INSERT INTO trace_search (trace_search, rowid, project_id, input, output)
    VALUES ('delete', old.rowid, old.project_id, old.input, old.output);
END;

CREATE TRIGGER trace_search_update AFTER UPDATE OF project_id, input, output ON traces
WHEN old.input IS NOT new.input OR old.output IS NOT new.output OR old.project_id IS NOT new.project_id BEGIN
    INSERT INTO trace_search (trace_search, rowid, project_id, input, output)
    VALUES ('delete', old.rowid, old.project_id, old.input, old.output);
    INSERT INTO trace_search (rowid, project_id, input, output)
    VALUES (new.rowid, new.project_id, new.input, new.output);
END;
