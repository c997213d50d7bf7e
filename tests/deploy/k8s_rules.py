"""The deployment's own rules for deploy/k8s, checked on the objects `kubectl kustomize` rendered
(what `kubectl apply -k` would apply, patches and labels included), and the Secret template's.

Each rule returns its problems, one line each: a test asserts there are none, a canary asserts the
rule names the one it was given.
"""

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

Manifest = dict[str, Any]

WORKLOADS = ("Deployment", "StatefulSet", "Job", "DaemonSet")
HEALTH_PATHS = {
    "buy": "/buy/health",
    "sell": "/sell/health",
    "user": "/user_utils/health",
    "quote": "/health",
}
SCALED = ("buy", "sell", "user")
SECRET_KEYS = {"DTS_SECRET_KEY", "DTS_OPERATOR_TOKEN"}


class Manifests:
    """The rendered objects by kind and name."""

    def __init__(self, objects: Sequence[Manifest]) -> None:
        self.objects = list(objects)
        self._by_key = {(obj["kind"], obj["metadata"]["name"]): obj for obj in self.objects}

    def find(self, kind: str, name: str) -> Manifest | None:
        return self._by_key.get((kind, name))

    def require(self, kind: str, name: str, problems: list[str]) -> Manifest | None:
        """A rule's object that is not there is one of its problems, not a KeyError."""
        obj = self.find(kind, name)
        if obj is None:
            problems.append(f"{kind}/{name}: missing")
        return obj

    def workloads(self) -> Iterator[tuple[str, Manifest]]:
        for obj in self.objects:
            if obj["kind"] in WORKLOADS:
                yield f"{obj['kind']}/{obj['metadata']['name']}", obj


def load_manifests(path: Path) -> list[Manifest]:
    return [obj for obj in yaml.safe_load_all(path.read_text()) if obj]


def pod_spec(workload: Manifest) -> Manifest:
    return workload["spec"]["template"]["spec"]


def containers(workload: Manifest) -> list[Manifest]:
    return pod_spec(workload).get("initContainers", []) + pod_spec(workload)["containers"]


def no_secrets(manifests: Manifests) -> list[str]:
    """A Secret in the manifests would be in git: secrets are created with kubectl instead."""
    return [
        f"Secret/{obj['metadata']['name']}: secrets are created with kubectl, "
        "never kept in the manifests"
        for obj in manifests.objects
        if obj["kind"] == "Secret"
    ]


def part_of_label(manifests: Manifests) -> list[str]:
    """The NetworkPolicies let in only pods with this label."""
    return [
        f"{where}: pods need the label app.kubernetes.io/part-of=dts (NetworkPolicies)"
        for where, workload in manifests.workloads()
        if workload["spec"]["template"]
        .get("metadata", {})
        .get("labels", {})
        .get("app.kubernetes.io/part-of")
        != "dts"
    ]


def resources(manifests: Manifests) -> list[str]:
    """Requests let the scheduler and the autoscalers count; limits keep one pod from starving the
    node."""
    return [
        f"{where}: container {container['name']} has no {part}.{resource}"
        for where, workload in manifests.workloads()
        for container in containers(workload)
        for part in ("requests", "limits")
        for resource in ("cpu", "memory")
        if resource not in ((container.get("resources") or {}).get(part) or {})
    ]


def fixed_image_tags(manifests: Manifests) -> list[str]:
    """Without a fixed tag, two pods of one Deployment may run different code."""
    problems = []
    for where, workload in manifests.workloads():
        for container in containers(workload):
            image = container.get("image", "")
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            if not tag or tag == "latest":
                problems.append(f"{where}: image {image!r} needs a fixed tag")
    return problems


def no_privilege_escalation(manifests: Manifests) -> list[str]:
    """A compromised process keeps no more rights than its container started with."""
    return [
        f"{where}: container {container['name']} must set allowPrivilegeEscalation: false"
        for where, workload in manifests.workloads()
        for container in containers(workload)
        if (container.get("securityContext") or {}).get("allowPrivilegeEscalation") is not False
    ]


def probes(manifests: Manifests) -> list[str]:
    """Ready means healthy (the service's own health path, which checks its stores); alive has a
    probe of its own, so a restart is not triggered by a store being down."""
    problems: list[str] = []
    for name, path in HEALTH_PATHS.items():
        deployment = manifests.require("Deployment", name, problems)
        if deployment is None:
            continue
        container = pod_spec(deployment)["containers"][0]
        if ((container.get("readinessProbe") or {}).get("httpGet") or {}).get("path") != path:
            problems.append(f"Deployment/{name}: readinessProbe must GET {path}")
        if not container.get("livenessProbe"):
            problems.append(f"Deployment/{name}: has no livenessProbe")
    return problems


def scaled_api_services(manifests: Manifests) -> list[str]:
    """An autoscaler owns each API service's count, its headless Service names every pod, NGINX
    asks for that name again and again, and the secrets reach every pod."""
    nginx = (manifests.find("ConfigMap", "nginx-settings") or {}).get("data") or {}
    problems: list[str] = []
    for name in SCALED:
        deployment = manifests.require("Deployment", name, problems)
        autoscaler = manifests.require("HorizontalPodAutoscaler", name, problems)
        service = manifests.require("Service", name, problems)
        if deployment is None or autoscaler is None or service is None:
            continue
        target = autoscaler["spec"]["scaleTargetRef"]
        if (target.get("kind"), target.get("name")) != ("Deployment", name):
            problems.append(f"HorizontalPodAutoscaler/{name}: must scale Deployment/{name}")
        if "replicas" in deployment["spec"]:
            problems.append(
                f"Deployment/{name}: sets replicas, which its HorizontalPodAutoscaler owns"
            )
        if service["spec"].get("clusterIP") != "None":
            problems.append(
                f"Service/{name}: must be headless, so that its name resolves to every pod"
            )
        namespace = service["metadata"].get("namespace", "default")
        key = f"DTS_{name.upper()}_UPSTREAM"
        wanted = f"{name}.{namespace}.svc.cluster.local:8000 resolve"
        if nginx.get(key) != wanted:
            problems.append(f"ConfigMap/nginx-settings: {key} must be {wanted!r}")
        env_from = pod_spec(deployment)["containers"][0].get("envFrom", [])
        if "dts-secrets" not in [source.get("secretRef", {}).get("name") for source in env_from]:
            problems.append(f"Deployment/{name}: must take its secrets from Secret/dts-secrets")
    return problems


def replica_set(manifests: Manifests) -> list[str]:
    """The members the StatefulSet runs are the ones the Job joins into the set and the ones
    MONGO_URI names, under one set name; writes wait for a majority's journals."""
    problems: list[str] = []
    mongo = manifests.require("StatefulSet", "mongo", problems)
    job = manifests.require("Job", "mongo-init", problems)
    settings = (manifests.require("ConfigMap", "dts-settings", problems) or {}).get("data") or {}
    if mongo is None or job is None:
        return problems
    args = containers(mongo)[0].get("args") or []
    set_name = args[args.index("--replSet") + 1] if "--replSet" in args else None
    replicas = mongo["spec"].get("replicas", 1)
    members = [f"mongo-{i}.{mongo['spec']['serviceName']}:27017" for i in range(replicas)]
    if replicas < 3 or set_name is None:
        problems.append("StatefulSet/mongo: a replica set needs 3+ members run with --replSet")
    service = manifests.find("Service", mongo["spec"]["serviceName"]) or {"spec": {}}
    if service["spec"].get("clusterIP") != "None" or not service["spec"].get(
        "publishNotReadyAddresses"
    ):
        problems.append("Service/mongo: must be headless and publish not-ready addresses")
    env = {var["name"]: var.get("value") for var in containers(job)[0].get("env", [])}
    if (env.get("DTS_MONGO_MEMBERS") or "").split(",") != members:
        problems.append(f"Job/mongo-init: DTS_MONGO_MEMBERS must be {','.join(members)}")
    if env.get("DTS_MONGO_REPLSET") != set_name:
        problems.append(f"Job/mongo-init: DTS_MONGO_REPLSET must be {set_name}")
    uri = urlsplit(settings.get("MONGO_URI", ""))
    query = {key: values[-1] for key, values in parse_qs(uri.query).items()}
    if sorted(uri.netloc.split(",")) != sorted(members):
        problems.append(f"ConfigMap/dts-settings: MONGO_URI must list every member: {members}")
    if query.get("replicaSet") != set_name:
        problems.append(f"ConfigMap/dts-settings: MONGO_URI must name the replica set {set_name}")
    if query.get("w") != "majority" or query.get("journal") != "true":
        problems.append(
            "ConfigMap/dts-settings: MONGO_URI must ask for w=majority and journal=true"
        )
    return problems


def secret_template_problems(objects: Sequence[Manifest]) -> list[str]:
    """The template is one Secret whose values are empty: applied as it is, the services refuse to
    start, so a forgotten step never runs with a real-looking or weak secret kept in git."""
    if len(objects) != 1 or objects[0].get("kind") != "Secret":
        return ["must hold exactly one object, a Secret"]
    secret = objects[0]
    string_data = secret.get("stringData") or {}
    problems = []
    if "data" in secret:
        problems.append("must not carry data (base64 values)")
    if set(string_data) != SECRET_KEYS:
        problems.append(f"stringData must hold exactly {sorted(SECRET_KEYS)}")
    problems += [
        f"stringData.{key} must be empty" for key, value in string_data.items() if value != ""
    ]
    return problems


# What Prometheus scrapes in the cluster: each workload's pods, on the port that serves /metrics.
SCRAPED = {
    "Deployment/buy": 8000,
    "Deployment/sell": 8000,
    "Deployment/user": 8000,
    "Deployment/quote": 8000,
    "Deployment/watcher": 9105,
    "StatefulSet/redis": 9121,
    "Deployment/nginx": 9113,
}
# A pod's annotations name one port: a second one is found through an annotated Service that
# selects the pods (Prometheus's service-endpoints discovery).
SCRAPED_THROUGH_SERVICE = {"Service/nginx-rate-limits": ("Deployment/nginx", 3903)}


def scrape_annotations(manifests: Manifests) -> list[str]:
    """Every process with metrics is found by Prometheus's pod discovery (the prometheus.io/*
    annotations) on a port one of its containers declares, and the NetworkPolicy lets it in."""
    problems = []
    found = dict(manifests.workloads())
    for where, port in SCRAPED.items():
        workload = found.get(where)
        if workload is None:
            problems.append(f"{where}: missing")
            continue
        if not _annotated_for(workload["spec"]["template"].get("metadata", {}), port):
            problems.append(f"{where}: pods must be annotated for scraping on port {port}")
        if port not in _declared_ports(workload):
            problems.append(f"{where}: no container declares port {port}")
    for where, (workload_name, port) in SCRAPED_THROUGH_SERVICE.items():
        service, workload = manifests.find(*where.split("/")), found.get(workload_name)
        if service is None or workload is None:
            problems.append(f"{where}: missing, or {workload_name} is")
            continue
        if not _annotated_for(service["metadata"], port):
            problems.append(f"{where}: must be annotated for scraping on port {port}")
        pod_labels = workload["spec"]["template"]["metadata"].get("labels") or {}
        selector = service["spec"].get("selector") or {}
        if not selector or any(pod_labels.get(k) != v for k, v in selector.items()):
            problems.append(f"{where}: does not select the pods of {workload_name}")
        if port not in _declared_ports(workload):
            problems.append(f"{where}: no container of {workload_name} declares port {port}")
    policy = manifests.find("NetworkPolicy", "metrics-from-prometheus") or {}
    allowed = {
        p.get("port") for rule in policy.get("spec", {}).get("ingress", []) for p in rule["ports"]
    }
    problems += [
        f"NetworkPolicy/metrics-from-prometheus: port {port} not allowed"
        for port in sorted(
            {*SCRAPED.values(), *(port for _, port in SCRAPED_THROUGH_SERVICE.values())} - allowed
        )
    ]
    return problems


def _annotated_for(metadata: Manifest, port: int) -> bool:
    """Prometheus's discovery scrapes what says so in these annotations, on this port."""
    notes = metadata.get("annotations") or {}
    return notes.get("prometheus.io/scrape") == "true" and notes.get("prometheus.io/port") == str(
        port
    )


def _declared_ports(workload: Manifest) -> set[int]:
    return {p.get("containerPort") for c in containers(workload) for p in c.get("ports", [])}


def rate_limited_log_shared(manifests: Manifests) -> list[str]:
    """NGINX writes its one line per 429 (DTS_RATE_LIMITED_LOG) into a volume of its pod that the
    mtail container reads at the path its image follows, or no 429 is ever counted."""
    problems: list[str] = []
    deployment = manifests.require("Deployment", "nginx", problems)
    settings = manifests.require("ConfigMap", "nginx-settings", problems)
    if deployment is None or settings is None:
        return problems
    log = Path(settings["data"].get("DTS_RATE_LIMITED_LOG", ""))
    by_name = {c["name"]: c for c in pod_spec(deployment)["containers"]}
    if "mtail" not in by_name:
        return [*problems, "Deployment/nginx: has no mtail container"]
    mounts = {
        name: {m["name"]: m["mountPath"] for m in by_name[name].get("volumeMounts", [])}
        for name in ("nginx", "mtail")
    }
    shared = [
        volume
        for volume, path in mounts["nginx"].items()
        if Path(path) == log.parent and mounts["mtail"].get(volume) == path
    ]
    if not shared:
        problems.append(
            f"Deployment/nginx: {log} is not on a volume both nginx and mtail mount there"
        )
    if by_name["mtail"].get("args") or by_name["mtail"].get("command"):
        problems.append("Deployment/nginx: mtail must follow the file its image names")
    return problems
