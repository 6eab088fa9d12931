#!/usr/bin/env python3
"""Renders every overlay under deploy/kubernetes/overlays with `kubectl kustomize` and checks what
it must contain: each wxtoken workload with liveness on /health, readiness on /ready, resources,
a restrictive security context (non-root, read-only root file system, no privilege escalation,
no capabilities); the Secret with the master key and admin token; a PodDisruptionBudget that
selects the pods; a ServiceMonitor scraping /admin/metrics with the admin token; the embedded
overlay as one replica with a volume claim, the cluster overlay as a Deployment on Redis with
appendonly. Prints one PASS/FAIL line per check and 'N passed, N failed'."""
import pathlib
import subprocess
import sys

import yaml

root = pathlib.Path(__file__).resolve().parents[2]
overlays = sorted(p for p in (root / "deploy/kubernetes/overlays").iterdir() if p.is_dir())
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


for overlay in overlays:
    name = f"kustomize {overlay.name}"
    render = subprocess.run(["kubectl", "kustomize", str(overlay)], capture_output=True, text=True)
    check(f"{name}: renders", render.returncode == 0, render.stderr.strip())
    if render.returncode != 0:
        continue
    docs = [d for d in yaml.safe_load_all(render.stdout) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)

    workloads = [w for k in ("Deployment", "StatefulSet") for w in by_kind.get(k, [])
                 if w["metadata"]["name"] == "wxtoken"]
    check(f"{name}: one wxtoken workload", len(workloads) == 1, [w["kind"] for w in workloads])
    if not workloads:
        continue
    workload = workloads[0]
    pod = workload["spec"]["template"]["spec"]
    pod_labels = workload["spec"]["template"]["metadata"]["labels"]
    psc = pod.get("securityContext", {})
    check(f"{name}: pod runs as non-root", psc.get("runAsNonRoot") is True and psc.get("runAsUser", 0) > 0, psc)
    check(f"{name}: pod has the runtime's seccomp profile",
          psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", psc)
    check(f"{name}: no service account token", pod.get("automountServiceAccountToken") is False)
    for c in pod["containers"]:
        cn = f"{name}: container {c['name']}"
        live = c.get("livenessProbe", {}).get("httpGet", {})
        ready = c.get("readinessProbe", {}).get("httpGet", {})
        check(f"{cn}: liveness on /health", live.get("path") == "/health", live)
        check(f"{cn}: readiness on /ready", ready.get("path") == "/ready", ready)
        res = c.get("resources", {})
        check(f"{cn}: resource requests and memory limit",
              {"cpu", "memory"} <= set(res.get("requests", {})) and "memory" in res.get("limits", {}), res)
        sc = c.get("securityContext", {})
        check(f"{cn}: read-only root file system", sc.get("readOnlyRootFilesystem") is True, sc)
        check(f"{cn}: no privilege escalation", sc.get("allowPrivilegeEscalation") is False, sc)
        check(f"{cn}: drops every capability", sc.get("capabilities", {}).get("drop") == ["ALL"], sc)
        mounts = {m["mountPath"] for m in c.get("volumeMounts", [])}
        check(f"{cn}: writable /data and /tmp", {"/data", "/tmp"} <= mounts, mounts)
        env = {e["name"]: e for e in c.get("env", [])}
        for var, key in (("WXTOKEN_MASTER_KEY", "master-key"), ("WXTOKEN_ADMIN_TOKEN", "admin-token")):
            ref = env.get(var, {}).get("valueFrom", {}).get("secretKeyRef", {})
            check(f"{cn}: {var} from the Secret", ref.get("name") == "wxtoken" and ref.get("key") == key, ref)
        store = env.get("WXTOKEN_STORE", {}).get("value", "")
        if workload["kind"] == "StatefulSet":
            check(f"{cn}: embedded store on /data", store == "file:/data", store)
        else:
            check(f"{cn}: Redis store", store.startswith("redis://"), store)
            check(f"{cn}: master key required",
                  env["WXTOKEN_MASTER_KEY"]["valueFrom"]["secretKeyRef"].get("optional") is False)

    if workload["kind"] == "StatefulSet":
        check(f"{name}: one replica", workload["spec"].get("replicas") == 1)
        claims = [t["metadata"]["name"] for t in workload["spec"].get("volumeClaimTemplates", [])]
        check(f"{name}: data on a volume claim", "data" in claims, claims)
    else:
        check(f"{name}: several replicas", workload["spec"].get("replicas", 1) >= 2)
        redis = [s for s in by_kind.get("StatefulSet", []) if s["metadata"]["name"] == "wxtoken-redis"]
        args = redis[0]["spec"]["template"]["spec"]["containers"][0].get("args", []) if redis else []
        check(f"{name}: Redis with appendonly", "--appendonly" in args and
              args[args.index("--appendonly") + 1] == "yes", args)

    secrets = {s["metadata"]["name"]: s for s in by_kind.get("Secret", [])}
    keys = set(secrets.get("wxtoken", {}).get("stringData", {})) | set(secrets.get("wxtoken", {}).get("data", {}))
    check(f"{name}: Secret with master key and admin token", {"master-key", "admin-token"} <= keys, keys)
    pdbs = by_kind.get("PodDisruptionBudget", [])
    check(f"{name}: PodDisruptionBudget selects the pods",
          any(selects(p["spec"].get("selector", {}).get("matchLabels"), pod_labels) for p in pdbs), pdbs)
    services = [s for s in by_kind.get("Service", []) if s["metadata"]["name"] == "wxtoken"]
    check(f"{name}: Service selects the pods",
          len(services) == 1 and selects(services[0]["spec"].get("selector"), pod_labels), services)
    monitors = by_kind.get("ServiceMonitor", [])
    endpoint = monitors[0]["spec"]["endpoints"][0] if monitors else {}
    credentials = endpoint.get("authorization", {}).get("credentials", {})
    check(f"{name}: ServiceMonitor scrapes /admin/metrics with the admin token",
          endpoint.get("path") == "/admin/metrics" and credentials == {"name": "wxtoken", "key": "admin-token"}
          and bool(services) and selects(monitors[0]["spec"]["selector"]["matchLabels"],
                                         services[0]["metadata"].get("labels", {})), endpoint)

check("kustomize: overlays found", len(overlays) >= 2, [o.name for o in overlays])
print(f"kustomize-test: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
