"""The RAM product of the Alibaba Cloud sandbox (API version 2015-05-01)."""
