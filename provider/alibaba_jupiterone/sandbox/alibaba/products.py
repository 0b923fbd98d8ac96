"""The products the sandbox serves on one port, told apart by API version, and how each refuses a caller."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from alibaba_jupiterone.sandbox.alibaba.auth import Credential
from alibaba_jupiterone.sandbox.alibaba.calls import Handler
from alibaba_jupiterone.sandbox.alibaba.ecs import actions as ecs_actions
from alibaba_jupiterone.sandbox.alibaba.errors import GatewayError
from alibaba_jupiterone.sandbox.alibaba.ram import actions as ram_actions
from alibaba_jupiterone.sandbox.alibaba.sts import actions as sts_actions
from alibaba_jupiterone.sandbox.alibaba.vpc import actions as vpc_actions

_NO_PERMISSION = "You are not authorized to do this action."


@dataclass(frozen=True)
class Product:
    """One Alibaba Cloud product: its RAM name (``ecs``), its code in help links, API version and actions.

    ``regional`` products take a ``RegionId``; the others (RAM, STS) are global.
    """

    name: str
    code: str
    version: str
    actions: Mapping[str, Handler]
    regional: bool

    def denial(self, action: str, account_id: str, credential: Credential) -> GatewayError:
        """The error the product answers a caller whose policies do not allow ``action``.

        ECS and VPC answer 403 ``Forbidden.RAM``, RAM and STS 403 ``NoPermission``; each with the
        ``AccessDeniedDetail`` block real answers carry.
        """
        detail = {
            "AccessDeniedDetail": {
                "AuthAction": f"{self.name}:{action}",
                "AuthPrincipalType": "AssumedRoleUser" if credential.security_token else "SubUser",
                "AuthPrincipalOwnerId": account_id,
                "AuthPrincipalDisplayName": credential.principal or credential.access_key_id,
                "PolicyType": "AccountLevelIdentityBasedPolicy",
                "NoPermissionType": "ImplicitDeny",
            }
        }
        if self.name == "ram":
            message = f"{_NO_PERMISSION} Resource: acs:ram:*:{account_id}:* Action: ram:{action}"
            return GatewayError("NoPermission", message, extra=detail)
        if self.name == "sts":
            return GatewayError("NoPermission", f"{_NO_PERMISSION} You should be authorized by RAM.", extra=detail)
        return GatewayError("Forbidden.RAM", extra=detail)


PRODUCTS: tuple[Product, ...] = (
    Product("ecs", "Ecs", ecs_actions.API_VERSION, ecs_actions.ACTIONS, regional=True),
    Product("vpc", "Vpc", vpc_actions.API_VERSION, vpc_actions.ACTIONS, regional=True),
    Product("ram", "Ram", ram_actions.API_VERSION, ram_actions.ACTIONS, regional=False),
    Product("sts", "Sts", sts_actions.API_VERSION, sts_actions.ACTIONS, regional=False),
)
BY_VERSION: dict[str, Product] = {product.version: product for product in PRODUCTS}
BY_NAME: dict[str, Product] = {product.name: product for product in PRODUCTS}


def product_named(name: str) -> Product:
    """The product called ``name`` (``ecs``, ``vpc``, ``ram``, ``sts``; any case); ``ValueError`` otherwise."""
    product = BY_NAME.get(name.lower())
    if product is None:
        raise ValueError(f"unknown product {name!r}; expected one of {sorted(BY_NAME)}")
    return product
