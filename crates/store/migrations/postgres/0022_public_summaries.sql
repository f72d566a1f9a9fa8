-- Public summaries: what the people affected by an incident are told, in words written
-- for them, one per post-mortem. Shown without sign-in only while `published_at` is set,
-- the post-mortem is published and the incident is not private.
CREATE TABLE public_summaries (
    postmortem_id TEXT PRIMARY KEY REFERENCES postmortems (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    impact_began_at TIMESTAMPTZ,
    impact_ended_at TIMESTAMPTZ,
    published_at TIMESTAMPTZ,
    updated_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX public_summaries_published ON public_summaries (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX public_summaries_by_user ON public_summaries (updated_by);
