-- Indexes for the runs-compared page's per-run aggregates (store/dataset_compare.py), which read every run item of
-- the compared runs with its trace's roll-up and its scores.
-- Run items of a run in trace id order: the trace and score look-ups walk their indexes forward instead of jumping.
CREATE INDEX dataset_run_items_by_run_trace ON dataset_run_items (project_id, run_id, trace_id);
-- A trace's scores with their names and values in the index itself, so means per score name need no table reads.
DROP INDEX scores_by_trace;
CREATE INDEX scores_by_trace ON scores (project_id, trace_id) INCLUDE (name, value) WHERE trace_id IS NOT NULL;
