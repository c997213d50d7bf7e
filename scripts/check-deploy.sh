#!/usr/bin/env bash
# Checks the Docker deployment files without a Docker engine (for CI and for machines without one):
#   1. docker-compose.yml: parsed, interpolated and validated against the Compose Specification by
#      the real Docker Compose CLI (`docker-compose config`), with the variables of .env.example;
#      then the deployment's own rules (only NGINX publishes a port, healthchecks, internal network
#      for the stores, secrets required and never written into the file, a MongoDB replica set
#      written with w=majority, API services that `--scale`), and every COPY source of every image
#      it builds exists in the build context and is not excluded by .dockerignore.
#   2. every Dockerfile of the repository: hadolint, failing on findings of any level.
#   3. deploy/k8s: rendered by `kubectl kustomize`, every object checked by kubernetes-validate
#      against the Kubernetes JSON schemas (strict, bundled: no network), then the deployment's
#      own rules (resources, probes, autoscalers, the replica set, no Secret in the manifests);
#      and the Secret template.
#   4. a canary: each of these checks must reject a known-broken file, so a tool that silently
#      stopped checking cannot make this script pass.
# The tools live in .venv-deploy-tools/ (pinned with hashes in scripts/deploy-tools-requirements.txt);
# the first run installs them, later runs reuse them. Exits non-zero on any problem.
#
# Usage: scripts/check-deploy.sh [COMPOSE_FILE [DOCKERFILE...]]
#   With no arguments it checks docker-compose.yml, every Dockerfile in the repository and
#   deploy/k8s (always checked).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DTS_DEPLOY_TOOLS_VENV:-$ROOT/.venv-deploy-tools}"
REQS="$ROOT/scripts/deploy-tools-requirements.txt"
PYTHON="${PYTHON:-python3}"
COMPOSE_BIN="$VENV/bin/docker-compose"
HADOLINT_BIN="$VENV/bin/hadolint"
KUBECTL_BIN="$VENV/bin/kubectl"
KUBEVAL_BIN="$VENV/bin/kubernetes-validate"
K8S_DIR="$ROOT/deploy/k8s"
# The Kubernetes versions the manifests must be valid for: an older one still widely served, and
# the newest the validator knows.
K8S_VERSIONS=(1.30.0 1.37.0)

# Dummy secrets, only for interpolating the compose file here; never used by anything that runs.
DUMMY_SECRET="check-deploy-dummy-secret-key-0123456789"
DUMMY_OPERATOR="check-deploy-dummy-operator-token-0123456789"

log() { printf '==> %s\n' "$*"; }
fail() { printf 'check-deploy: FAIL: %s\n' "$*" >&2; exit 1; }

# ---- tools ------------------------------------------------------------------------------------

install_tools() {
    local stamp="$VENV/.installed" want
    want="$(sha256sum "$REQS" | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print(sys.version.split()[0])') $(uname -m)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$COMPOSE_BIN" && -x "$HADOLINT_BIN" &&
        -x "$KUBECTL_BIN" && -x "$KUBEVAL_BIN" ]]; then
        return 0
    fi
    log "installing deployment check tools into ${VENV#"$ROOT"/}"
    "$PYTHON" -m venv --clear "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
        --only-binary=:all: --require-hashes -r "$REQS"
    printf '%s\n' "$want" >"$stamp"
}

# Compose in a clean environment: only what this script passes in can reach the interpolation, so
# the result does not depend on the caller's shell (nor on a developer's .env: --env-file wins).
compose() {
    local file="$1"
    shift
    env -i PATH="$PATH" HOME="${HOME:-/tmp}" DOCKER_CONFIG="$VENV/.docker" "${COMPOSE_ENV[@]}" \
        "$COMPOSE_BIN" --project-directory "$ROOT" -f "$file" --env-file "$ROOT/.env.example" "$@"
}

# ---- checks -----------------------------------------------------------------------------------

check_compose() {
    local file="$1" out err
    log "compose: $(realpath --relative-to="$ROOT" "$file") (Docker Compose $("$COMPOSE_BIN" version --short))"
    [[ -f "$ROOT/.env.example" ]] || fail ".env.example is missing"

    # Schema, interpolation and references, with the required secrets provided.
    COMPOSE_ENV=(DTS_SECRET_KEY="$DUMMY_SECRET" DTS_OPERATOR_TOKEN="$DUMMY_OPERATOR")
    err="$WORK/compose.err"
    if ! out="$(compose "$file" config --format json 2>"$err")"; then
        cat "$err" >&2
        fail "$file is not a valid compose file"
    fi
    # Compose only warns about, e.g., a variable without a default or an obsolete key: fail on it.
    if [[ -s "$err" ]]; then
        cat "$err" >&2
        fail "docker-compose printed warnings for $file"
    fi

    # The deployment's own rules, on the fully resolved model; and, since nothing here can run
    # `docker build`, every COPY source of every built Dockerfile must exist in its build context
    # and not be excluded by the context's .dockerignore.
    printf '%s' "$out" >"$WORK/model.json"
    "$VENV/bin/python" - "$WORK/model.json" "$DUMMY_SECRET" "$DUMMY_OPERATOR" <<'PY' ||
import glob, json, os, re, shlex, sys
from urllib.parse import parse_qs, urlsplit

model = json.load(open(sys.argv[1]))
secrets = {"DTS_SECRET_KEY": sys.argv[2], "DTS_OPERATOR_TOKEN": sys.argv[3]}
services = model.get("services", {})
networks = model.get("networks", {})
problems = []
API_SERVICES = ("buy_service", "sell_service", "user_service")

# One-shot services (e.g. mongo-init): others wait for them to exit 0, not to be healthy.
one_shots = {
    dep
    for svc in services.values()
    for dep, cond in (svc.get("depends_on") or {}).items()
    if cond.get("condition") == "service_completed_successfully"
}

for name, svc in sorted(services.items()):
    if svc.get("ports") and name != "nginx":
        problems.append(f"{name}: publishes a port; only nginx may")
    if name in one_shots:
        if svc.get("restart", "no") != "no":
            problems.append(f"{name}: a one-shot service must not restart")
    elif svc.get("restart") != "unless-stopped":
        problems.append(f"{name}: restart must be unless-stopped")
    if name != "watcher" and name not in one_shots and not svc.get("healthcheck", {}).get("test"):
        problems.append(f"{name}: has no healthcheck")
    for dep, cond in (svc.get("depends_on") or {}).items():
        wanted = "service_completed_successfully" if dep in one_shots else "service_healthy"
        if cond.get("condition") != wanted:
            problems.append(f"{name}: depends_on {dep} must wait for {wanted}")
    env = svc.get("environment") or {}
    for key, dummy in secrets.items():
        if key in env and env[key] != dummy:
            problems.append(f"{name}: {key} must come from the environment (.env), not the file")

# The stores: every MongoDB member, Redis and the quote server only on internal networks.
mongo_members = sorted(n for n, s in services.items() if "--replSet" in (s.get("command") or []))
if len(mongo_members) < 3:
    problems.append(f"mongo: a replica set needs 3 members with --replSet, found {mongo_members}")
for name in (*mongo_members, *sorted(one_shots), "redis", "quote_server"):
    if name not in services:
        problems.append(f"{name}: service is missing")
        continue
    for net in services[name].get("networks") or {"default": None}:
        if not networks.get(net, {}).get("internal"):
            problems.append(f"{name}: network {net} is not internal")
if "nginx" not in services or not services["nginx"].get("ports"):
    problems.append("nginx: must publish the HTTP port")

# Every client names the replica set and writes with w=majority, journaled; the set is the members
# that run, under the name they run with, and the init service makes that same set.
set_names = set()
for name in mongo_members:
    command = services[name]["command"]
    set_names.add(command[command.index("--replSet") + 1])
members = sorted(f"{m}:27017" for m in mongo_members)
inits = [s["environment"] for s in services.values() if "DTS_MONGO_MEMBERS" in (s.get("environment") or {})]
if len(inits) != 1:
    problems.append("mongo: exactly one service must initiate the replica set (DTS_MONGO_MEMBERS)")
for env in inits:
    if sorted(env["DTS_MONGO_MEMBERS"].split(",")) != members:
        problems.append(f"mongo: DTS_MONGO_MEMBERS must be every member: {members}")
    if {env.get("DTS_MONGO_REPLSET")} != set_names:
        problems.append("mongo: DTS_MONGO_REPLSET is not the members' --replSet")
for name, svc in sorted(services.items()):
    uri = (svc.get("environment") or {}).get("MONGO_URI")
    if uri is None:
        continue
    parts = urlsplit(uri)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if query.get("w") != "majority" or query.get("journal") != "true":
        problems.append(f"{name}: MONGO_URI must ask for w=majority and journal=true")
    if {query.get("replicaSet")} != set_names:
        problems.append(f"{name}: MONGO_URI must name the replica set {sorted(set_names)}")
    if sorted(parts.netloc.split(",")) != members:
        problems.append(f"{name}: MONGO_URI must list every member: {members}")

# Scaling: `--scale` needs services without a fixed name or host port, and NGINX must re-resolve
# each service's name to find all of its replicas.
nginx_env = services.get("nginx", {}).get("environment") or {}
for name in API_SERVICES:
    if services.get(name, {}).get("container_name"):
        problems.append(f"{name}: container_name prevents --scale")
    key = f"DTS_{name.split('_')[0].upper()}_UPSTREAM"
    if nginx_env.get(key) != f"{name}:8000 resolve":
        problems.append(f"nginx: {key} must be '{name}:8000 resolve' (every replica, re-resolved)")


def ignore_rules(context, dockerfile):
    """The .dockerignore that applies: <Dockerfile>.dockerignore, else <context>/.dockerignore."""
    for path in (dockerfile + ".dockerignore", os.path.join(context, ".dockerignore")):
        if os.path.isfile(path):
            rules = []
            for line in open(path):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                negate = line.startswith("!")
                pat = os.path.normpath(line.lstrip("!").strip().lstrip("/"))
                rx = ""
                for part in re.split(r"(\*\*/?|\*|\?)", pat):
                    if part in ("**", "**/"):
                        rx += "(?:.*/)?" if part == "**/" else ".*"
                    elif part == "*":
                        rx += "[^/]*"
                    elif part == "?":
                        rx += "[^/]"
                    else:
                        rx += re.escape(part)
                rules.append((re.compile(rx + r"\Z"), negate))
            return rules
    return []


def ignored(rel, rules):
    parts = rel.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for rx, negate in rules:
        if any(rx.match(p) for p in prefixes):
            result = not negate
    return result


built = {}
for name, svc in services.items():
    build = svc.get("build")
    if build:
        ctx = build["context"]
        built[(ctx, os.path.join(ctx, build.get("dockerfile", "Dockerfile")))] = name
for (ctx, dockerfile), name in sorted(built.items()):
    if not os.path.isfile(dockerfile):
        problems.append(f"{name}: no Dockerfile at {dockerfile}")
        continue
    rules = ignore_rules(ctx, dockerfile)
    text = re.sub(r"\\\n", " ", open(dockerfile).read())
    for line in text.splitlines():
        words = line.strip().split(None, 1)
        if len(words) < 2 or words[0].upper() not in ("COPY", "ADD"):
            continue
        args = json.loads(words[1]) if words[1].lstrip().startswith("[") else shlex.split(words[1])
        flags = [a for a in args if a.startswith("--")]
        if any(f.startswith("--from") for f in flags):
            continue
        for src in [a for a in args if not a.startswith("--")][:-1]:
            rel = os.path.normpath(src).lstrip("/")
            matches = glob.glob(os.path.join(ctx, rel))
            if not matches:
                problems.append(f"{os.path.relpath(dockerfile)}: COPY source {src} does not exist")
            elif all(ignored(os.path.relpath(m, ctx), rules) for m in matches):
                problems.append(f"{os.path.relpath(dockerfile)}: COPY source {src} is excluded by .dockerignore")

for p in problems:
    print("  -", p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
        fail "$file breaks the deployment rules above"

    # Without the secrets the file must refuse to render (no silent default secret).
    COMPOSE_ENV=()
    if compose "$file" config --quiet >/dev/null 2>&1; then
        fail "$file renders without DTS_SECRET_KEY/DTS_OPERATOR_TOKEN: they must be required"
    fi
}

check_dockerfiles() {
    local f
    log "hadolint: $# Dockerfile(s) ($("$HADOLINT_BIN" --version))"
    for f in "$@"; do
        printf '    %s\n' "$(realpath --relative-to="$ROOT" "$f")"
    done
    # --failure-threshold style: any finding, down to style level, fails the check.
    "$HADOLINT_BIN" --no-color --failure-threshold style "$@" || fail "hadolint found problems"
}

# ---- Kubernetes -------------------------------------------------------------------------------

# Strict schema check of every object in FILE..., for each Kubernetes version the manifests
# support. Anything the validator says fails: an error, and also the warning for a kind it has no
# schema for (a misspelt kind or apiVersion would otherwise pass unchecked).
kube_validate() {
    local version out
    for version in "${K8S_VERSIONS[@]}"; do
        if ! out="$("$KUBEVAL_BIN" --strict --quiet -k "$version" "$@" 2>&1)" || [[ -n "$out" ]]; then
            printf '%s\n' "$out" >&2
            return 1
        fi
    done
}

# Renders the kustomization DIR into OUT exactly as `kubectl apply -k` would: a missing file or a
# patch that does not apply fails here.
render_k8s() {
    local dir="$1" out="$2"
    if ! "$KUBECTL_BIN" kustomize "$dir" >"$out" 2>"$WORK/kustomize.err"; then
        cat "$WORK/kustomize.err" >&2
        fail "kubectl kustomize could not render $dir"
    fi
}

check_k8s() {
    local rendered="$WORK/k8s-rendered.yaml" template="$K8S_DIR/secret.template.yaml"
    local kubectl_version
    kubectl_version="$("$KUBECTL_BIN" version --client | awk 'NR == 1 {print $3}')"
    log "kubernetes: $(realpath --relative-to="$ROOT" "$K8S_DIR") (kubectl kustomize $kubectl_version," \
        "kubernetes-validate $("$KUBEVAL_BIN" --version) for Kubernetes ${K8S_VERSIONS[*]})"
    [[ -f "$template" ]] || fail "no Secret template at $template"
    render_k8s "$K8S_DIR" "$rendered"
    kube_validate "$rendered" "$template" || fail "objects that do not match the Kubernetes schemas"
    k8s_rules "$rendered" || fail "$K8S_DIR breaks the deployment rules above"
    check_secret_template "$template"
}

# The deployment's own rules, on the rendered objects of FILE.
k8s_rules() {
    "$VENV/bin/python" - "$1" <<'PY'
import sys
from urllib.parse import parse_qs, urlsplit

import yaml

docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
objects = {(d["kind"], d["metadata"]["name"]): d for d in docs}
problems = []
WORKLOADS = ("Deployment", "StatefulSet", "Job", "DaemonSet")
HEALTH_PATHS = {"buy": "/buy/health", "sell": "/sell/health", "user": "/user_utils/health", "quote": "/health"}
SCALED = ("buy", "sell", "user")


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


def containers(obj):
    return pod_spec(obj).get("initContainers", []) + pod_spec(obj)["containers"]


def get(kind, name):
    obj = objects.get((kind, name))
    if obj is None:
        problems.append(f"{kind}/{name}: missing")
    return obj


for obj in docs:
    kind, name = obj["kind"], obj["metadata"]["name"]
    where = f"{kind}/{name}"
    if kind == "Secret":
        problems.append(f"{where}: secrets are created with kubectl, never kept in the manifests")
    if kind not in WORKLOADS:
        continue
    labels = obj["spec"]["template"].get("metadata", {}).get("labels", {})
    if labels.get("app.kubernetes.io/part-of") != "dts":
        problems.append(f"{where}: pods need the label app.kubernetes.io/part-of=dts (NetworkPolicies)")
    for c in containers(obj):
        resources = c.get("resources") or {}
        for part in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if resource not in (resources.get(part) or {}):
                    problems.append(f"{where}: container {c['name']} has no {part}.{resource}")
        image = c.get("image", "")
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        if not tag or tag == "latest":
            problems.append(f"{where}: image {image!r} needs a fixed tag")
        if (c.get("securityContext") or {}).get("allowPrivilegeEscalation") is not False:
            problems.append(f"{where}: container {c['name']} must set allowPrivilegeEscalation: false")

# Probes: ready means healthy (the service's health path); alive has a probe of its own.
for name, path in HEALTH_PATHS.items():
    deployment = get("Deployment", name)
    if deployment is None:
        continue
    c = pod_spec(deployment)["containers"][0]
    if ((c.get("readinessProbe") or {}).get("httpGet") or {}).get("path") != path:
        problems.append(f"Deployment/{name}: readinessProbe must GET {path}")
    if not c.get("livenessProbe"):
        problems.append(f"Deployment/{name}: has no livenessProbe")

# The API services scale: an autoscaler owns the count, the Service names every pod, NGINX asks
# for that name again and again, and the secrets reach the pods.
nginx = (objects.get(("ConfigMap", "nginx-settings")) or {}).get("data") or {}
for name in SCALED:
    deployment = get("Deployment", name)
    hpa = get("HorizontalPodAutoscaler", name)
    service = get("Service", name)
    if None in (deployment, hpa, service):
        continue
    target = hpa["spec"]["scaleTargetRef"]
    if (target.get("kind"), target.get("name")) != ("Deployment", name):
        problems.append(f"HorizontalPodAutoscaler/{name}: must scale Deployment/{name}")
    if "replicas" in deployment["spec"]:
        problems.append(f"Deployment/{name}: sets replicas, which its HorizontalPodAutoscaler owns")
    if service["spec"].get("clusterIP") != "None":
        problems.append(f"Service/{name}: must be headless, so that its name resolves to every pod")
    namespace = service["metadata"].get("namespace", "default")
    key, want = f"DTS_{name.upper()}_UPSTREAM", f"{name}.{namespace}.svc.cluster.local:8000 resolve"
    if nginx.get(key) != want:
        problems.append(f"ConfigMap/nginx-settings: {key} must be {want!r}")
    env_from = pod_spec(deployment)["containers"][0].get("envFrom", [])
    if "dts-secrets" not in [e.get("secretRef", {}).get("name") for e in env_from]:
        problems.append(f"Deployment/{name}: must take its secrets from Secret/dts-secrets")

# MongoDB: the members the StatefulSet runs are the ones the Job joins into the set and the ones
# MONGO_URI names, under one set name; writes wait for a majority's journals.
mongo = get("StatefulSet", "mongo")
job = get("Job", "mongo-init")
settings = (get("ConfigMap", "dts-settings") or {}).get("data") or {}
if mongo is not None and job is not None:
    args = containers(mongo)[0].get("args") or []
    set_name = args[args.index("--replSet") + 1] if "--replSet" in args else None
    replicas = mongo["spec"].get("replicas", 1)
    members = [f"mongo-{i}.{mongo['spec']['serviceName']}:27017" for i in range(replicas)]
    if replicas < 3 or set_name is None:
        problems.append("StatefulSet/mongo: a replica set needs 3+ members run with --replSet")
    service = objects.get(("Service", mongo["spec"]["serviceName"])) or {"spec": {}}
    if service["spec"].get("clusterIP") != "None" or not service["spec"].get("publishNotReadyAddresses"):
        problems.append("Service/mongo: must be headless and publish not-ready addresses")
    env = {e["name"]: e.get("value") for e in containers(job)[0].get("env", [])}
    if (env.get("DTS_MONGO_MEMBERS") or "").split(",") != members:
        problems.append(f"Job/mongo-init: DTS_MONGO_MEMBERS must be {','.join(members)}")
    if env.get("DTS_MONGO_REPLSET") != set_name:
        problems.append(f"Job/mongo-init: DTS_MONGO_REPLSET must be {set_name}")
    uri = urlsplit(settings.get("MONGO_URI", ""))
    query = {k: v[-1] for k, v in parse_qs(uri.query).items()}
    if sorted(uri.netloc.split(",")) != sorted(members):
        problems.append(f"ConfigMap/dts-settings: MONGO_URI must list every member: {members}")
    if query.get("replicaSet") != set_name:
        problems.append(f"ConfigMap/dts-settings: MONGO_URI must name the replica set {set_name}")
    if query.get("w") != "majority" or query.get("journal") != "true":
        problems.append("ConfigMap/dts-settings: MONGO_URI must ask for w=majority and journal=true")

for p in problems:
    print("  -", p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

# The Secret's template: one Secret whose values are empty (never a real or a weak secret).
check_secret_template() {
    local file="$1"
    "$VENV/bin/python" - "$file" <<'PY' || fail "$file must be a Secret template with empty values"
import sys

import yaml

docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
ok = (
    len(docs) == 1
    and docs[0]["kind"] == "Secret"
    and "data" not in docs[0]
    and set(docs[0].get("stringData") or {}) == {"DTS_SECRET_KEY", "DTS_OPERATOR_TOKEN"}
    and all(v == "" for v in docs[0]["stringData"].values())
)
sys.exit(0 if ok else 1)
PY
}

# The tools must reject known-bad input; otherwise a passing run means nothing.
canary() {
    local tmp="$WORK/canary"
    mkdir -p "$tmp"
    log "canary: the checks reject broken files"
    # Not in the Compose Specification: the schema must catch both.
    sed 's/condition: service_healthy/condition: service_hopeful/' \
        "$ROOT/docker-compose.yml" >"$tmp/bad-condition.yml"
    printf 'services:\n  x:\n    image: busybox\n    not_a_compose_key: 1\n' >"$tmp/unknown-key.yml"
    COMPOSE_ENV=(DTS_SECRET_KEY="$DUMMY_SECRET" DTS_OPERATOR_TOKEN="$DUMMY_OPERATOR")
    local f
    for f in "$tmp/bad-condition.yml" "$tmp/unknown-key.yml"; do
        if compose "$f" config --quiet >/dev/null 2>&1; then
            fail "docker-compose accepted a broken compose file (canary $(basename "$f"))"
        fi
    done
    # Valid compose, but against the deployment rules: MongoDB published to the host; writes not
    # waiting for a majority; an API service that cannot be scaled.
    sed '/^  mongo1: &mongo-member$/a\    ports: ["27017:27017"]' "$ROOT/docker-compose.yml" >"$tmp/published-db.yml"
    sed 's/&w=majority//' "$ROOT/docker-compose.yml" >"$tmp/no-majority.yml"
    sed '/^  buy_service:$/a\    container_name: dts-buy' "$ROOT/docker-compose.yml" >"$tmp/fixed-name.yml"
    local name rule out
    for name in published-db:'only nginx may' no-majority:'w=majority' fixed-name:'prevents --scale'; do
        rule="${name#*:}"
        name="${name%%:*}"
        cmp -s "$ROOT/docker-compose.yml" "$tmp/$name.yml" && fail "canary: could not build $name.yml"
        out="$( (check_compose "$tmp/$name.yml") 2>&1 || true)"
        if ! grep -q -- "$rule" <<<"$out"; then
            fail "the deployment rules accepted a broken compose file (canary $name.yml)"
        fi
    done
    # A COPY of a missing file, and of a file that .dockerignore excludes.
    mkdir -p "$tmp/ctx"
    printf 'FROM busybox:1.36\nCOPY missing.txt /a\nCOPY secret.txt /b\n' >"$tmp/ctx/Dockerfile"
    printf 'secret.txt\n' >"$tmp/ctx/.dockerignore"
    : >"$tmp/ctx/secret.txt"
    printf 'services:\n  x:\n    build: %s\n' "$tmp/ctx" >"$tmp/bad-copy.yml"
    local out
    out="$( (check_compose "$tmp/bad-copy.yml") 2>&1 || true)"
    if ! grep -q 'missing.txt does not exist' <<<"$out" ||
        ! grep -q 'secret.txt is excluded by .dockerignore' <<<"$out"; then
        fail "the COPY check missed a missing or ignored source (canary)"
    fi
    printf 'FROM python\nRUN cd /tmp && pip install flask\n' >"$tmp/Dockerfile"
    if "$HADOLINT_BIN" --no-color --failure-threshold style "$tmp/Dockerfile" >/dev/null 2>&1; then
        fail "hadolint accepted a broken Dockerfile (canary)"
    fi
    canary_k8s "$tmp/k8s"
}

canary_k8s() {
    local tmp="$1" base f out
    mkdir -p "$tmp"
    # Schema: a misspelt field, a value of the wrong type, a kind that does not exist.
    printf '%s\n' 'apiVersion: apps/v1' 'kind: Deployment' 'metadata: {name: x}' 'spec:' \
        '  replica: 2' '  selector: {matchLabels: {a: b}}' \
        '  template: {metadata: {labels: {a: b}}, spec: {containers: [{name: x, image: "busybox:1.36"}]}}' \
        >"$tmp/unknown-field.yaml"
    printf '%s\n' 'apiVersion: v1' 'kind: Service' 'metadata: {name: x}' 'spec: {ports: [{port: eighty}]}' \
        >"$tmp/wrong-type.yaml"
    printf '%s\n' 'apiVersion: apps/v1' 'kind: Deploymnet' 'metadata: {name: x}' >"$tmp/unknown-kind.yaml"
    for f in unknown-field wrong-type unknown-kind; do
        if kube_validate "$tmp/$f.yaml" >/dev/null 2>&1; then
            fail "kubernetes-validate accepted a broken manifest (canary $f.yaml)"
        fi
    done
    # The Secret template with a value filled in.
    sed 's/DTS_SECRET_KEY: ""/DTS_SECRET_KEY: "a-real-looking-secret-0123456789"/' \
        "$K8S_DIR/secret.template.yaml" >"$tmp/filled-secret.yaml"
    cmp -s "$K8S_DIR/secret.template.yaml" "$tmp/filled-secret.yaml" &&
        fail "canary: could not build filled-secret.yaml"
    if (check_secret_template "$tmp/filled-secret.yaml") >/dev/null 2>&1; then
        fail "the Secret template check accepted a filled-in value (canary)"
    fi
    # Rendering: a kustomization naming a file that is not there.
    mkdir -p "$tmp/missing-file"
    printf 'resources:\n  - not-there.yaml\n' >"$tmp/missing-file/kustomization.yaml"
    if "$KUBECTL_BIN" kustomize "$tmp/missing-file" >/dev/null 2>&1; then
        fail "kubectl kustomize rendered a kustomization with a missing file (canary)"
    fi
    # The rules, on the real manifests with one thing broken by a patch: no readiness probe on the
    # buy service; writes that do not wait for a majority.
    mkdir -p "$tmp/no-readiness" "$tmp/no-majority"
    base="$(realpath --relative-to="$tmp/no-readiness" "$K8S_DIR")"
    printf '%s\n' "resources: [$base]" 'patches:' '  - target: {kind: Deployment, name: buy}' \
        '    patch: |-' '      - op: remove' '        path: /spec/template/spec/containers/0/readinessProbe' \
        >"$tmp/no-readiness/kustomization.yaml"
    printf '%s\n' "resources: [$base]" 'patches:' '  - target: {kind: ConfigMap, name: dts-settings}' \
        '    patch: |-' '      - op: replace' '        path: /data/MONGO_URI' \
        '        value: "mongodb://mongo-0.mongo:27017,mongo-1.mongo:27017,mongo-2.mongo:27017/?replicaSet=dts"' \
        >"$tmp/no-majority/kustomization.yaml"
    for f in no-readiness:'readinessProbe must GET' no-majority:'w=majority'; do
        render_k8s "$tmp/${f%%:*}" "$tmp/${f%%:*}.yaml"
        out="$(k8s_rules "$tmp/${f%%:*}.yaml" 2>&1 || true)"
        if ! grep -q -- "${f#*:}" <<<"$out"; then
            fail "the Kubernetes rules accepted a broken manifest (canary ${f%%:*})"
        fi
    done
}

# ---- main -------------------------------------------------------------------------------------

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

install_tools

compose_file="${1:-$ROOT/docker-compose.yml}"
[[ -f "$compose_file" ]] || fail "no compose file at $compose_file"
compose_file="$(realpath "$compose_file")"
shift || true

if (($# > 0)); then
    dockerfiles=("$@")
else
    mapfile -t dockerfiles < <(
        find "$ROOT" \
            \( -name .git -o -name node_modules -o -name '.venv*' -o -name .data \) -prune -o \
            -type f \( -name Dockerfile -o -name 'Dockerfile.*' -o -name '*.Dockerfile' \) \
            ! -name '*.dockerignore' -print | sort
    )
fi
((${#dockerfiles[@]} > 0)) || fail "no Dockerfile found"
for f in "${dockerfiles[@]}"; do
    [[ -f "$f" ]] || fail "no Dockerfile at $f"
done

COMPOSE_ENV=()
check_compose "$compose_file"
check_dockerfiles "${dockerfiles[@]}"
check_k8s
canary
log "deployment files OK"
