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
    member = client.lists.add_list_member(list_id, {"email_address": "SDK.User@freddiesjokes.com", "status": "subscribed"})
    check("mailchimp-marketing add member", member["id"] == hashlib.md5(b"sdk.user@freddiesjokes.com").hexdigest(), member)
    try:
        client.lists.add_list_member(list_id, {"email_address": "sdk.user@freddiesjokes.com", "status": "subscribed"})
        check("mailchimp-marketing Member Exists", False, "no error")
    except mailchimp_marketing.api_client.ApiClientError as error:
        body = json.loads(error.text) if isinstance(error.text, str) else error.text
        check("mailchimp-marketing Member Exists", error.status_code == 400 and body["title"] == "Member Exists", error.text)

    def problem(call):
        """The (status, body) of a call the fake must refuse."""
        try:
            return 0, call()
        except mailchimp_marketing.api_client.ApiClientError as error:
            return error.status_code, json.loads(error.text) if isinstance(error.text, str) else error.text

    # Addresses Mailchimp refuses (issue 14): example.com is recorded refused; AAAAA is malformed.
    status, body = problem(lambda: client.lists.add_list_member(list_id, {"email_address": "foo@example.com", "status": "subscribed"}))
    check("mailchimp-marketing refuses foo@example.com as fake", status == 400 and body.get("title") == "Invalid Resource"
          and body.get("detail") == "foo@example.com looks fake or invalid, please enter a real email address.", body)
    status, body = problem(lambda: client.lists.add_list_member(list_id, {"email_address": "AAAAA", "status": "subscribed"}))
    check("mailchimp-marketing refuses a malformed address", status == 400 and body.get("detail") == "Please provide a valid email address.", body)
    batch = client.lists.batch_list_members(list_id, {"members": [
        {"email_address": "batch.ok@freddiesjokes.com", "status": "subscribed"},
        {"email_address": "batch@example.com", "status": "subscribed"},
        {"email_address": "AAAAA", "status": "subscribed"}]})
    check("mailchimp-marketing batch subscribe reports refused addresses per item",
          batch["total_created"] == 1 and [e["error_code"] for e in batch["errors"]] == ["ERROR_GENERIC", "ERROR_GENERIC"]
          and batch["errors"][0]["error"] == "batch@example.com looks fake or invalid, please enter a real email address.", batch)

    status, body = problem(lambda: client.lists.batch_list_members(list_id, {"members": [
        {"email_address": "batch.bad@freddiesjokes.com", "status": "", "status_if_new": "subscribed"}], "update_existing": True}))
    check("mailchimp-marketing batch subscribe with an empty status fails as a whole",
          status == 400 and body.get("errors", [{}])[0].get("field") == "members.item:0.status", body)

    # PUT is an upsert (issue 14): no status needed on an existing member, an address change moves it.
    sdk_hash = hashlib.md5(b"sdk.user@freddiesjokes.com").hexdigest()
    updated = client.lists.set_list_member(list_id, sdk_hash, {"merge_fields": {"FNAME": "Sdk"}})
    check("mailchimp-marketing PUT updates an existing member without a status",
          updated["status"] == "subscribed" and updated["merge_fields"]["FNAME"] == "Sdk", updated)
    moved = client.lists.set_list_member(list_id, sdk_hash, {"email_address": "sdk.moved@freddiesjokes.com"})
    status, body = problem(lambda: client.lists.get_list_member(list_id, sdk_hash))
    check("mailchimp-marketing PUT with another address moves the member",
          moved["id"] == hashlib.md5(b"sdk.moved@freddiesjokes.com").hexdigest() and status == 404, (moved, body))
    unknown = hashlib.md5(b"nobody@freddiesjokes.com").hexdigest()
    created = client.lists.set_list_member(list_id, unknown, {"email_address": "sdk.new@freddiesjokes.com", "status_if_new": "subscribed"})
    status, body = problem(lambda: client.lists.set_list_member(list_id, unknown, {"email_address": "sdk.new@freddiesjokes.com",
                                                                                     "status_if_new": "subscribed"}))
    check("mailchimp-marketing PUT to an unknown hash creates the body's address, then Member Exists",
          created["id"] == hashlib.md5(b"sdk.new@freddiesjokes.com").hexdigest() and status == 400
          and body.get("title") == "Member Exists", (created, body))
    client.lists.set_list_member(list_id, hashlib.md5(b"sdk.moved@freddiesjokes.com").hexdigest(), {"email_address": "SDK.User@freddiesjokes.com"})

    # Merge fields (issue 14): every defined field listed ("" when unset), lower-case unknown keys ignored, types checked.
    typed = client.lists.add_list_member(list_id, {"email_address": "merge.fields@freddiesjokes.com", "status": "subscribed",
                                                   "merge_fields": {"email_address": "merge.fields@freddiesjokes.com", "FNAME": "Mer"}})
    check("mailchimp-marketing member lists every merge field and ignores a lower-case key",
          typed["merge_fields"].get("LNAME") == "" and "email_address" not in typed["merge_fields"], typed)
    status, body = problem(lambda: client.lists.update_list_member(list_id, typed["id"], {"merge_fields": {"NOPE": "x"}}))
    check("mailchimp-marketing unknown merge tag refused",
          status == 400 and body.get("errors") == [{"field": "NOPE", "message": "This field does not exist"}], body)

    # Single-member static-segment writes and segment updates (issue 14).
    tag = client.lists.create_segment(list_id, {"name": "SDK tag", "static_segment": []})
    added = client.lists.create_segment_member(list_id, tag["id"], {"email_address": "SDK.User@freddiesjokes.com"})
    listed = client.lists.get_segment_members_list(list_id, tag["id"])
    check("mailchimp-marketing adds one member to a static segment",
          added["id"] == sdk_hash and [m["id"] for m in listed["members"]] == [sdk_hash], (added, listed))
    removed = client.lists.remove_segment_member(list_id, tag["id"], sdk_hash)
    check("mailchimp-marketing removes one member from a static segment",
          getattr(removed, "status_code", None) == 204 and client.lists.get_segment_members_list(list_id, tag["id"])["total_items"] == 0,
          removed)
    renamed = client.lists.update_segment(list_id, tag["id"], {"name": "SDK tag renamed", "static_segment": ["SDK.User@freddiesjokes.com"]})
    check("mailchimp-marketing PATCH renames a segment and replaces its members",
          renamed["name"] == "SDK tag renamed" and renamed["member_count"] == 1, renamed)
    status, body = problem(lambda: client.lists.remove_segment_member(list_id, tag["id"], unknown))
    check("mailchimp-marketing removing a non-member from a segment is 404", status == 404, body)

    from mailchimp3 import MailChimp
    mc3 = MailChimp(mc_api=mc["api_key"])
    mc3.base_url = mc["base_url"] + "/"
    members = mc3.lists.members.all(list_id, get_all=True)
    check("mailchimp3 paged members", any(m["email_address"] == "SDK.User@freddiesjokes.com" for m in members["members"]), members)
    batch3 = mc3.lists.update_members(list_id, {"members": [{"email_address": "mc3@example.com", "status": "subscribed"}]})
    check("mailchimp3 batch subscribe refuses example.com per item",
          batch3["error_count"] == 1 and batch3["errors"][0]["error_code"] == "ERROR_GENERIC", batch3)

    seg3 = mc3.lists.segments.create(list_id, {"name": "mc3 tag", "static_segment": []})
    member3 = mc3.lists.segments.members.create(list_id, seg3["id"], {"email_address": "SDK.User@freddiesjokes.com", "status": "subscribed"})
    check("mailchimp3 adds one member to a static segment", member3["id"] == sdk_hash and mc3.lists.segments.get(list_id, seg3["id"])["member_count"] == 1, member3)
    mc3.lists.segments.members.delete(list_id, seg3["id"], sdk_hash)
    check("mailchimp3 removes one member from a static segment", mc3.lists.segments.members.all(list_id, seg3["id"])["total_items"] == 0)
    renamed3 = mc3.lists.segments.update(list_id, seg3["id"], {"name": "mc3 tag renamed"})
    check("mailchimp3 renames a segment", renamed3["name"] == "mc3 tag renamed", renamed3)

    from mixpanel import Consumer, Mixpanel
    consumer = Consumer(events_url=mp["ingest_url"] + "/track", people_url=mp["ingest_url"] + "/engage",
                        import_url=mp["ingest_url"] + "/import")
    sdk = Mixpanel(mp["token"], consumer=consumer)
    sdk.track("sdk-user", "Signed Up", {"plan": "pro"})
    sdk.people_set("sdk-user", {"$email": "sdk@freddiesjokes.com"})
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
