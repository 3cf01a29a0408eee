"""Background work kept in PostgreSQL: a jobs table claimed with ``FOR UPDATE SKIP LOCKED``.

Why our own table and not a queue library: see the README ("Background jobs"). In short,
a job is enqueued in the same asyncpg transaction as the change that calls for it, so a
notification and the job that emails it commit (or roll back) together.
"""
