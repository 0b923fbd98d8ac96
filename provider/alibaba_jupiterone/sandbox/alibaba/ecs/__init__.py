"""The ECS product of the Alibaba Cloud sandbox (API version 2014-05-26)."""
