#!/usr/bin/env python3
"""Third-party connectors, unmodified, read the fakes through `cohortsim serve --play --proxy`.

Usage: third-party-connectors.py PATH/TO/cohortsim SCENARIO.yaml [WORKDIR]
Installs each connector in its own virtual environment under WORKDIR (default .build/connectors),
with pinned versions, adds the proxy's per-run CA to the venv's certifi bundle, and runs spec, check,
discover and a full-refresh read of every stream, failing unless each stream reads the records the
scenario implies (Mixpanel: spec, check and discover; read is a visibly skipped step). Expected counts are for scenarios/compliance/hard-bounce-cleans-contact.yaml.
"""
import collections
import json
import os
import subprocess
import sys

binary, scenario = sys.argv[1], sys.argv[2]
workdir = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else ".build/connectors")
here = os.path.dirname(os.path.abspath(__file__))
os.makedirs(workdir, exist_ok=True)
failures = 0

# Mailchimp: after the timeline, one audience with two contacts (one cleaned by a hard bounce), one
# campaign and its report, two activity records (a bounce and an open), the sync's tag as one static
# segment whose listing shows its one subscribed member; no automations, groups or unsubscribes.
MAILCHIMP_PINS = ["airbyte-source-mailchimp==2.0.37", "airbyte-cdk==7.39.1"]
MIXPANEL_PINS = ["airbyte-source-mixpanel==4.0.2", "airbyte-cdk==6.61.6"]
MIXPANEL_STREAMS = ["cohorts", "engage", "annotations", "cohort_members", "funnels", "export"]
MAILCHIMP_EXPECTED = {"automations": 0, "campaigns": 1, "email_activity": 2, "lists": 1, "list_members": 2, "tags": 1,
                      "interest_categories": 0, "interests": 0, "reports": 1, "segments": 1, "segment_members": 1,
                      "unsubscribes": 0}


def check(name, condition, detail=""):
    global failures
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {detail}"), flush=True)
    failures += 0 if condition else 1


def venv(name, pins):
    path = os.path.join(workdir, name)
    if not os.path.exists(os.path.join(path, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", path], check=True)
    subprocess.run([os.path.join(path, "bin", "pip"), "install", "-q", *pins], check=True)
    return os.path.join(path, "bin", "python")


def trust(python, ca_file):
    """Adds the proxy's CA to the venv's certifi bundle (some connectors' HTTP stacks trust only
    certifi's file and ignore REQUESTS_CA_BUNDLE); keeps the original beside it, so each run starts
    from certifi's own bundle. Returns the bundle's path."""
    certifi = subprocess.run([python, "-c", "import certifi; print(certifi.where())"], capture_output=True, text=True,
                             check=True).stdout.strip()
    original = certifi + ".cohortsim-original"
    if not os.path.exists(original):
        with open(original, "w") as out:
            out.write(open(certifi).read())
    with open(certifi, "w") as out:
        out.write(open(original).read() + "\n" + open(ca_file).read())
    return certifi


def messages(command, env, timeout):
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    parsed = []
    for line in result.stdout.splitlines():
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pass
    return parsed


def errors(parsed):
    return [m["trace"]["error"].get("internal_message") or m["trace"]["error"].get("message")
            for m in parsed if m.get("type") == "TRACE" and m["trace"].get("type") == "ERROR"]


ca_file = os.path.join(workdir, "proxy-ca.pem")
serve = subprocess.Popen([binary, "serve", "--scenario", scenario, "--play", "--proxy", "0", "--proxy-ca-file", ca_file,
                          "--json"], stdout=subprocess.PIPE, text=True)
try:
    info = json.loads(serve.stdout.readline())
    proxy = info["proxy"]["url"]
    mc = info["mailchimp"]

    python = venv("mailchimp", MAILCHIMP_PINS)
    env = dict(os.environ, HTTPS_PROXY=proxy, REQUESTS_CA_BUNDLE=trust(python, ca_file))
    config = os.path.join(workdir, "mailchimp-config.json")
    json.dump({"credentials": {"auth_type": "apikey", "apikey": mc["api_key"]},
               "data_center": mc["api_key"].rsplit("-", 1)[1], "start_date": "2020-01-01T00:00:00.000Z"}, open(config, "w"))
    launch = [python, os.path.join(here, "airbyte-mailchimp-launch.py")]
    spec = messages(launch + ["spec"], env, 120)
    check("airbyte-source-mailchimp spec", any(m.get("type") == "SPEC" for m in spec), errors(spec))
    status = messages(launch + ["check", "--config", config], env, 120)
    check("airbyte-source-mailchimp check", any(m.get("connectionStatus", {}).get("status") == "SUCCEEDED" for m in status),
          [m.get("connectionStatus") for m in status if "connectionStatus" in m] + errors(status))
    discovered = [m["catalog"] for m in messages(launch + ["discover", "--config", config], env, 120) if m.get("type") == "CATALOG"]
    streams = discovered[0]["streams"] if discovered else []
    check("airbyte-source-mailchimp discover", sorted(s["name"] for s in streams) == sorted(MAILCHIMP_EXPECTED),
          [s["name"] for s in streams])
    catalog = os.path.join(workdir, "mailchimp-catalog.json")
    json.dump({"streams": [{"stream": s, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"} for s in streams]},
              open(catalog, "w"))
    read = messages(launch + ["read", "--config", config, "--catalog", catalog], env, 300)
    counts = collections.Counter(m["record"]["stream"] for m in read if m.get("type") == "RECORD")
    check("airbyte-source-mailchimp read: no error", not errors(read), errors(read)[:5])
    for stream, expected in sorted(MAILCHIMP_EXPECTED.items()):
        check(f"airbyte-source-mailchimp read {stream}: {expected} record(s)", counts.get(stream, 0) == expected,
              f"read {counts.get(stream, 0)}")

    # Mixpanel: spec, check and discover run; read is visibly skipped (issue 15, see docs/ci.md).
    python = venv("mixpanel", MIXPANEL_PINS)
    env = dict(os.environ, HTTPS_PROXY=proxy, REQUESTS_CA_BUNDLE=trust(python, ca_file))
    mp = info["mixpanel"]
    config = os.path.join(workdir, "mixpanel-config.json")
    json.dump({"credentials": {"option_title": "Service Account", "username": mp["service_account"]["username"],
                               "secret": mp["service_account"]["secret"], "project_id": mp["project_id"]},
               "project_timezone": "UTC", "start_date": "2026-10-04T00:00:00Z", "end_date": "2026-10-06T00:00:00Z",
               "region": "US", "date_window_size": 30, "page_size": 1000}, open(config, "w"))
    source = [os.path.join(os.path.dirname(python), "source-mixpanel")]
    spec = messages(source + ["spec"], env, 120)
    check("airbyte-source-mixpanel spec", any(m.get("type") == "SPEC" for m in spec), errors(spec))
    status = messages(source + ["check", "--config", config], env, 180)
    check("airbyte-source-mixpanel check", any(m.get("connectionStatus", {}).get("status") == "SUCCEEDED" for m in status),
          [m.get("connectionStatus") for m in status if "connectionStatus" in m] + errors(status))
    discovered = [m["catalog"] for m in messages(source + ["discover", "--config", config], env, 240) if m.get("type") == "CATALOG"]
    names = sorted(s["name"] for s in discovered[0]["streams"]) if discovered else []
    check("airbyte-source-mixpanel discover", names == sorted(MIXPANEL_STREAMS), names)
    print("SKIP airbyte-source-mixpanel read: the connector paces its Query API calls (about one a minute, and "
          "60 s after any failure), so reading its streams does not fit this phase yet — see docs/ci.md", flush=True)
finally:
    serve.terminate()
    serve.wait(timeout=30)

print(f"{failures} failure(s)")
sys.exit(1 if failures else 0)
