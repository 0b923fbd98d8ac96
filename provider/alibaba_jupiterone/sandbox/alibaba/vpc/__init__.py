"""The VPC product of the Alibaba Cloud sandbox (API version 2016-04-28)."""
