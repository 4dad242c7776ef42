"""SCIM 2.0 provisioning: identity providers create, update and switch off people and groups at /scim/v2/."""
