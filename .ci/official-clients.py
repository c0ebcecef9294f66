#!/usr/bin/env python3
"""Smoke test: the official Python clients, pointed at `cohortsim serve`, work against the fakes.

Usage: official-clients.py PATH/TO/cohortsim SCENARIO.yaml
Clients: mailchimp-marketing (official SDK), mailchimp3, mixpanel (official SDK), mixpanel-utils.
"""
import hashlib
import json
import subprocess
import sys

binary, scenario = sys.argv[1], sys.argv[2]
serve = subprocess.Popen([binary, "serve", "--scenario", scenario, "--json"], stdout=subprocess.PIPE, text=True)
failures = 0


def check(name, condition, detail=""):
    global failures
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f": {detail}"))
    failures += 0 if condition else 1


try:
    info = json.loads(serve.stdout.readline())
    mc, mp = info["mailchimp"], info["mixpanel"]
    list_id = mc["audiences"][0]["id"]

    import mailchimp_marketing
    client = mailchimp_marketing.Client()
    client.set_config({"api_key": mc["api_key"], "server": "us6"})
    client.api_client.host = mc["base_url"]
    check("mailchimp-marketing ping", client.ping.get().get("health_status") == "Everything's Chimpy!")
    lists = client.lists.get_all_lists()
    check("mailchimp-marketing lists", lists["total_items"] == len(mc["audiences"]), lists)
    member = client.lists.add_list_member(list_id, {"email_address": "SDK.User@example.com", "status": "subscribed"})
    check("mailchimp-marketing add member", member["id"] == hashlib.md5(b"sdk.user@example.com").hexdigest(), member)
    try:
        client.lists.add_list_member(list_id, {"email_address": "sdk.user@example.com", "status": "subscribed"})
        check("mailchimp-marketing Member Exists", False, "no error")
    except mailchimp_marketing.api_client.ApiClientError as error:
        body = json.loads(error.text) if isinstance(error.text, str) else error.text
        check("mailchimp-marketing Member Exists", error.status_code == 400 and body["title"] == "Member Exists", error.text)

    from mailchimp3 import MailChimp
    mc3 = MailChimp(mc_api=mc["api_key"])
    mc3.base_url = mc["base_url"] + "/"
    members = mc3.lists.members.all(list_id, get_all=True)
    check("mailchimp3 paged members", any(m["email_address"] == "SDK.User@example.com" for m in members["members"]), members)

    from mixpanel import Consumer, Mixpanel
    consumer = Consumer(events_url=mp["ingest_url"] + "/track", people_url=mp["ingest_url"] + "/engage",
                        import_url=mp["ingest_url"] + "/import")
    sdk = Mixpanel(mp["token"], consumer=consumer)
    sdk.track("sdk-user", "Signed Up", {"plan": "pro"})
    sdk.people_set("sdk-user", {"$email": "sdk@example.com"})
    check("mixpanel track and people_set", True)

    from mixpanel_utils import MixpanelUtils
    utils = MixpanelUtils(mp["service_account"]["secret"], token=mp["token"],
                          service_account_username=mp["service_account"]["username"], project_id=mp["project_id"])
    utils.formatted_api = mp["query_url"]
    utils.raw_api = mp["query_url"]
    utils.import_api = mp["ingest_url"]
    profiles = utils.query_engage({"filter_by_cohort": json.dumps({"id": mp["cohorts"][0]["id"]})})
    check("mixpanel-utils query_engage by cohort", len(profiles) == 3, profiles)
    everyone = utils.query_engage()
    check("mixpanel-utils sees the SDK's profile", any(p["$distinct_id"] == "sdk-user" for p in everyone), everyone)
finally:
    serve.terminate()
    serve.wait(timeout=10)

print(f"official clients: {failures} failed")
sys.exit(1 if failures else 0)
