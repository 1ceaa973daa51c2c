"""HTTP plumbing shared by every router: errors, pagination, health, the v1 router."""
