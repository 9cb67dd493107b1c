"""The sandbox's own control surface under ``/_sandbox`` (no auth, no faults, no limits).

Tests that run the sandbox as a subprocess cannot reach the handle's attributes, so the same
operations are offered over HTTP: move the clock, read the ground truth, set the fault profile,
read the request/fault statistics and kill the live Xero access tokens.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from sandbox.service.auth import XeroTokenAuthority
from sandbox.service.faults import FaultController, FaultProfile
from sandbox.service.routing import ApiRequest, ApiResponse, VendorApi, json_response
from sandbox.service.timefmt import iso_ms
from sandbox.simulation.model import Business


class ControlApi(VendorApi):
    name = "sandbox"
    prefix = "/_sandbox"
    injects_faults = False

    def __init__(
        self,
        business: Business,
        faults: FaultController,
        tokens: XeroTokenAuthority,
        warm: Callable[[], None],
    ) -> None:
        super().__init__()
        self.business = business
        self._faults = faults
        self._tokens = tokens
        self._warm = warm
        self.router.add("POST", "/advance", self.advance)
        self.router.add("GET", "/truth", self.truth)
        self.router.add("GET", "/faults", self.get_faults)
        self.router.add("POST", "/faults", self.set_faults)
        self.router.add("GET", "/stats", self.stats)
        self.router.add("POST", "/expire-tokens", self.expire_tokens)

    def not_found(self, request: ApiRequest) -> ApiResponse:
        return json_response(404, {"error": f"no sandbox control route {request.method} {request.path}"})

    def _clock(self) -> dict[str, str]:
        return {"now": iso_ms(self.business.now), "as_of": self.business.as_of.isoformat()}

    def advance(self, request: ApiRequest) -> ApiResponse:
        """``{"days": n}`` moves the clock; ``"warm": true`` also rebuilds the served views now
        rather than on the next API request (a benchmark then times serving, not rebuilding)."""
        try:
            body = request.json()
            days, warm = body.get("days"), body.get("warm", False)
        except (ValueError, AttributeError):
            days, warm = None, False
        if not isinstance(days, int) or isinstance(days, bool) or days < 0 or not isinstance(warm, bool):
            return json_response(
                400, {"error": 'body must be {"days": <non-negative integer>, "warm": <optional boolean>}'}
            )
        self.business.advance(days)
        if warm:
            self._warm()
        return json_response(200, self._clock())

    def truth(self, request: ApiRequest) -> ApiResponse:
        return json_response(200, self.business.truth())

    def get_faults(self, request: ApiRequest) -> ApiResponse:
        return json_response(200, self._faults.profile.model_dump(mode="json"))

    def set_faults(self, request: ApiRequest) -> ApiResponse:
        try:
            profile = FaultProfile.model_validate_json(request.body or b"{}")
        except ValidationError as error:
            return json_response(
                400,
                {
                    "error": "invalid fault profile",
                    "details": error.errors(include_url=False, include_context=False),
                },
            )
        self._faults.configure(profile)
        return json_response(200, profile.model_dump(mode="json"))

    def stats(self, request: ApiRequest) -> ApiResponse:
        return json_response(200, self._faults.stats() | self._clock())

    def expire_tokens(self, request: ApiRequest) -> ApiResponse:
        return json_response(200, {"revoked": self._tokens.revoke_access_tokens()})
