"""The deployment's own rules for docker-compose.yml, checked on the model Compose resolved (so an
anchor, an override or an interpolation cannot hide a break from them).

Each rule returns its problems, one line each: a test asserts there are none, a canary asserts the
rule names the one it was given.
"""

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

Model = Mapping[str, Any]

API_SERVICES = ("buy_service", "sell_service", "user_service")
MONGO_PORT = 27017


def _services(model: Model) -> dict[str, dict[str, Any]]:
    return dict(sorted((model.get("services") or {}).items()))


def one_shot_services(model: Model) -> set[str]:
    """Services the others wait for to exit 0 (mongo-init), not to be healthy."""
    return {
        dependency
        for service in _services(model).values()
        for dependency, condition in (service.get("depends_on") or {}).items()
        if condition.get("condition") == "service_completed_successfully"
    }


def mongo_members(model: Model) -> list[str]:
    return sorted(
        name
        for name, service in _services(model).items()
        if "--replSet" in (service.get("command") or [])
    )


def published_ports(model: Model) -> list[str]:
    """NGINX is the one way in: anything else published would bypass its limits and auth."""
    services = _services(model)
    problems = [
        f"{name}: publishes a port; only nginx may"
        for name, service in services.items()
        if service.get("ports") and name != "nginx"
    ]
    if not services.get("nginx", {}).get("ports"):
        problems.append("nginx: must publish the HTTP port")
    return problems


def restart_policies(model: Model) -> list[str]:
    """Long-running services come back after a crash or a reboot; a one-shot must not run twice."""
    one_shots = one_shot_services(model)
    problems = []
    for name, service in _services(model).items():
        if name in one_shots:
            if service.get("restart", "no") != "no":
                problems.append(f"{name}: a one-shot service must not restart")
        elif service.get("restart") != "unless-stopped":
            problems.append(f"{name}: restart must be unless-stopped")
    return problems


def healthchecks(model: Model) -> list[str]:
    """Startup order waits on health, so every long-running service others may wait on needs one
    (the watcher serves nobody, a one-shot is waited on by its exit, and the exporters and mtail
    serve only Prometheus, whose `up` is their check: their images hold little but the binary)."""
    one_shots = one_shot_services(model)
    return [
        f"{name}: has no healthcheck"
        for name, service in _services(model).items()
        if name != "watcher"
        and not name.endswith("-exporter")
        and name != "mtail"
        and name not in one_shots
        and not (service.get("healthcheck") or {}).get("test")
    ]


def dependency_conditions(model: Model) -> list[str]:
    """A dependency that is merely started may not answer yet: wait until it is healthy, or until
    a one-shot has finished."""
    one_shots = one_shot_services(model)
    problems = []
    for name, service in _services(model).items():
        for dependency, condition in (service.get("depends_on") or {}).items():
            wanted = (
                "service_completed_successfully" if dependency in one_shots else "service_healthy"
            )
            if condition.get("condition") != wanted:
                problems.append(f"{name}: depends_on {dependency} must wait for {wanted}")
    return problems


def secrets_from_environment(model: Model, secrets: Mapping[str, str]) -> list[str]:
    """A secret written into the file would be in git: each must be the value the environment gave
    (`secrets`, the values the model was resolved with)."""
    return [
        f"{name}: {key} must come from the environment (.env), not the file"
        for name, service in _services(model).items()
        for key, given in secrets.items()
        if key in (service.get("environment") or {}) and service["environment"][key] != given
    ]


def internal_stores(model: Model) -> list[str]:
    """The stores hold the money and have no auth of their own: they are reachable only from the
    services, on internal networks."""
    services = _services(model)
    networks = model.get("networks") or {}
    problems = []
    for name in (*mongo_members(model), *sorted(one_shot_services(model)), "redis", "quote_server"):
        if name not in services:
            problems.append(f"{name}: service is missing")
            continue
        for network in services[name].get("networks") or {"default": None}:
            if not (networks.get(network) or {}).get("internal"):
                problems.append(f"{name}: network {network} is not internal")
    return problems


def replica_set(model: Model) -> list[str]:
    """The set is the members that run, under the name they run with, and the init service makes
    that same set: a member left out would never join."""
    services = _services(model)
    members = mongo_members(model)
    problems = []
    if len(members) < 3:
        problems.append(f"mongo: a replica set needs 3 members with --replSet, found {members}")
    inits = [
        service["environment"]
        for service in services.values()
        if "DTS_MONGO_MEMBERS" in (service.get("environment") or {})
    ]
    if len(inits) != 1:
        problems.append(
            "mongo: exactly one service must initiate the replica set (DTS_MONGO_MEMBERS)"
        )
    addresses = _member_addresses(model)
    for env in inits:
        if sorted(env["DTS_MONGO_MEMBERS"].split(",")) != addresses:
            problems.append(f"mongo: DTS_MONGO_MEMBERS must be every member: {addresses}")
        if {env.get("DTS_MONGO_REPLSET")} != _set_names(model):
            problems.append("mongo: DTS_MONGO_REPLSET is not the members' --replSet")
    return problems


def mongo_clients(model: Model) -> list[str]:
    """Every client names the set (so it follows failovers) and writes with w=majority, journaled:
    an acknowledged command survives the loss of any one member."""
    addresses = _member_addresses(model)
    set_names = _set_names(model)
    problems = []
    for name, service in _services(model).items():
        uri = (service.get("environment") or {}).get("MONGO_URI")
        if uri is None:
            continue
        parts = urlsplit(uri)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        if query.get("w") != "majority" or query.get("journal") != "true":
            problems.append(f"{name}: MONGO_URI must ask for w=majority and journal=true")
        if {query.get("replicaSet")} != set_names:
            problems.append(f"{name}: MONGO_URI must name the replica set {sorted(set_names)}")
        if sorted(parts.netloc.split(",")) != addresses:
            problems.append(f"{name}: MONGO_URI must list every member: {addresses}")
    return problems


def scalable_api_services(model: Model) -> list[str]:
    """`--scale` needs API services without a fixed name, and NGINX must re-resolve each service's
    name to find all of its replicas, including ones added later."""
    services = _services(model)
    nginx_env = services.get("nginx", {}).get("environment") or {}
    problems = []
    for name in API_SERVICES:
        if services.get(name, {}).get("container_name"):
            problems.append(f"{name}: container_name prevents --scale")
        key = f"DTS_{name.split('_')[0].upper()}_UPSTREAM"
        if nginx_env.get(key) != f"{name}:8000 resolve":
            problems.append(
                f"nginx: {key} must be '{name}:8000 resolve' (every replica, re-resolved)"
            )
    return problems


def _member_addresses(model: Model) -> list[str]:
    return sorted(f"{member}:{MONGO_PORT}" for member in mongo_members(model))


def _set_names(model: Model) -> set[str]:
    services = _services(model)
    names = set()
    for member in mongo_members(model):
        command = services[member]["command"]
        names.add(command[command.index("--replSet") + 1])
    return names
