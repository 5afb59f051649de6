"""The document toolkit every transaction shares: drafts (a document before it is
posted), the one posting path, and the manager-approval rules for rates."""
