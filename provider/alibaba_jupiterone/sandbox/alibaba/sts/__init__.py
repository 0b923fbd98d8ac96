"""The STS product of the Alibaba Cloud sandbox (API version 2015-04-01)."""
