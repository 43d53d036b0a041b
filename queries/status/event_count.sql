-- Events stored, to tell an empty warehouse from one whose facts were never built.
SELECT count(*) FROM events
