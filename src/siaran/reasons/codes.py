"""Every reason code siaran records, with its English template (the gettext msgid).

A code is stored in history: never rename or remove one without a migration. A template may be
reworded freely (old rows then read the new words); its {fields} are the parameters the code takes.
Codes are grouped by the part of siaran that gives them, sorted within a group.
"""

from __future__ import annotations

from ..i18n import N_

GENERAL = {
    "joined": N_("{parts}"),  # several reasons: ``parts`` is a list, worded and joined with "; "
    "legacy": N_("{text}"),  # a reason written before reasons were data (migration m014), as it was
    "said": N_("{error} ({said})"),  # a reason with the provider's own words after it
    "span": N_("{minutes} min"),  # a duration: worded by siaran.reasons._span, not by this template
    "text": N_("{text}"),  # final words: a provider's own message, a content problem already translated
}

DELIVERY = {
    "delivery.claimed_elsewhere": N_("claimed by another run"),
    "delivery.gave_up": N_("{error} (gave up after {attempts} attempts)"),
    "delivery.inflight_lost": N_("the program stopped while this message was being sent; it may have arrived"),
    "delivery.internal_error": N_("internal error while sending: {error}"),
    "delivery.interrupted": N_("interrupted while sending; it may have arrived"),
    "delivery.invalid_number": N_("invalid number"),
    "delivery.opted_out": N_("opted out"),
    "delivery.sent_by_hand": N_("already sent by hand at {time}"),
    "delivery.sent_by_occurrence": N_("already sent by {occurrence} at {time}"),
    "delivery.provider_stopped": N_(
        "{provider} refused to continue: {error}. The rest stays queued; run the same command again."
    ),
    "delivery.provider_stopped_code": N_(
        "{provider} refused to continue (code {code}): {error}. The rest stays queued; run the same command again."
    ),
    "delivery.stopped_on_request": N_("stopped on request; the rest stays queued"),
}

OCCURRENCE = {
    "occurrence.already_greeted": N_("already sent for {holiday} as {earlier}"),
    "occurrence.counts": N_(
        "sent {sent}, failed {failed}, uncertain {uncertain}, skipped {skipped}, already done {already}"
    ),
    "occurrence.gap": N_(
        "{count} {more}occurrence(s) missed between {first} and {end} (siaran was not running); counted here, not sent"
    ),
    "occurrence.gap_or_more": N_("or more "),
    "occurrence.not_all_sent": N_("not everything went out: {counts}"),
    "occurrence.queued_after_errors": N_("{n} queued after temporary errors; retried on the next run"),
    "occurrence.schedule_gone": N_("its schedule file schedules/{name}.yaml is gone"),
    "occurrence.schedule_removed": N_("schedule removed"),
    "occurrence.skipped_count": N_("skipped ({n}): {reason}"),
    "occurrence.stopped_queued": N_("stopped with {n} still queued; resumed on the next start"),
    "occurrence.this_holiday": N_("this holiday"),
}

SCHEDULE = {
    "schedule.day_off_moved": N_("day off ({day}); the next workday {next} has its own occurrence"),
    "schedule.day_off_skip": N_("day off ({day}); the schedule says on_holiday: skip"),
    "schedule.event_over": N_("the event is over ({day})"),
    "schedule.left_out": N_("{n} left out: {reason}"),
    "schedule.left_out_of": N_("{n} of {total} left out: {reason}"),
    "schedule.missed_closed": N_("missed; the office is closed until {when}, after its grace of {grace}"),
    "schedule.missed_grace": N_("missed by {late}, more than its grace of {grace}"),
    "schedule.missed_not_latest": N_("missed; only the latest missed occurrence is sent ({when})"),
    "schedule.waits_for_office": N_("catch-up waits for office hours ({when})"),
}

# Said by any HTTP provider (siaran.channels.http), named by ``provider``.
HTTP = {
    "http.broken": N_("connection to {provider} broke before it answered ({error}); the message may have arrived"),
    "http.failed": N_("{provider}: {error}"),
    "http.no_answer": N_("no answer from {provider} in time ({error}); the message may have arrived"),
    "http.status": N_("{provider} answered HTTP {status}"),
    "http.status_said": N_("{provider} answered HTTP {status}: {said}"),
    "http.unreachable": N_("cannot reach {provider}: {error}"),
}

FONNTE = {
    "fonnte.device_unknown": N_("Fonnte does not know this device: check SIARAN_WHATSAPP_TOKEN"),
    "fonnte.disconnected": N_("the Fonnte device is disconnected: open fonnte.com and scan the QR code again"),
    "fonnte.expired": N_("the Fonnte package expired: renew it, then run the same command again"),
    "fonnte.invalid_number": N_("Fonnte says the number is not valid"),
    "fonnte.no_reason": N_("no reason given"),
    "fonnte.not_json": N_("Fonnte answered something that is not JSON; the message may have gone"),
    "fonnte.not_on_whatsapp": N_("the number is not on WhatsApp"),
    "fonnte.quota": N_("the Fonnte quota is used up: top up the package, then run the same command again"),
    "fonnte.refused": N_("Fonnte refused the message: {reason}"),
    "fonnte.slow_down": N_("Fonnte asks to slow down"),
    "fonnte.token": N_("Fonnte refused the token: copy the device token from fonnte.com into SIARAN_WHATSAPP_TOKEN"),
    "fonnte.try_again": N_("Fonnte asks to try again later"),
    "fonnte.user_unknown": N_("Fonnte does not know this account: check SIARAN_WHATSAPP_TOKEN"),
    "fonnte.wait": N_("Fonnte asks to wait"),
}

WAHA = {
    "waha.api_key": N_("WAHA refused the API key: set SIARAN_WHATSAPP_TOKEN to WAHA's WAHA_API_KEY"),
    "waha.core_no_images": N_(
        "WAHA Core does not send images (only WAHA Plus does). Set whatsapp.image_fallback = true "
        "to send the text with a link instead, or upgrade WAHA"
    ),
    "waha.no_session": N_("WAHA has no session {session!r}: start it in the WAHA dashboard"),
    "waha.not_connected": N_(
        "the WAHA session {session!r} is not connected: open the dashboard and scan the QR code ({detail})"
    ),
    "waha.refused": N_("WAHA refused the message ({detail})"),
    "waha.slow_down": N_("WAHA asks to slow down"),
    "waha.status_failed": N_("WhatsApp reported an error for this message"),
}

INSTAGRAM = {
    "instagram.aspect_ratio": N_(
        "{name} is {width}×{height}; Instagram accepts aspect ratios from 4:5 (portrait) to 1.91:1 (landscape)"
    ),
    "instagram.aspect_refused": N_("Instagram refused the image's aspect ratio (code {code}); use 4:5 to 1.91:1."),
    "instagram.carousel_size": N_("an Instagram carousel takes 2 to {limit} images; this post has {count}"),
    "instagram.container_failed": N_("Instagram could not prepare the post (container {detail})"),
    "instagram.container_gone": N_(
        "Instagram container {state} ({detail}) and the post is not on the account; "
        "`siaran instagram requeue` makes a new one"
    ),
    "instagram.download_failed": N_(
        "Instagram could not download the image (code {code}): is the media folder synced to "
        "instagram.public_media_base_url? The post stays queued."
    ),
    "instagram.error": N_("Instagram: {error}"),
    "instagram.graph_error": N_("Instagram: {error} (code {code})"),
    "instagram.handoff_copy_failed": N_(
        "the files are in {folder}, but the copy to the operator's WhatsApp failed: {reason}"
    ),
    "instagram.handoff_stopped": N_(
        "siaran stopped while sending the copy to the operator's WhatsApp; it may not have arrived "
        "(the files are in outbox/instagram/)"
    ),
    "instagram.image_missing": N_("image {path} is missing"),
    "instagram.limit": N_(
        "Instagram's limit of posts per 24 hours is reached (code 9); the post stays queued, "
        "run `siaran instagram publish` later."
    ),
    "instagram.limit_used": N_(
        "Instagram's limit of {total} posts per 24 hours is reached ({used} used); the post stays "
        "queued, run `siaran instagram publish` later."
    ),
    "instagram.needs_image": N_("an Instagram post needs an image: add image: or card: true to the post"),
    "instagram.no_picture": N_("an Instagram post needs a picture: add image: or card: true"),
    "instagram.no_check": N_(
        "couldn't confirm: Instagram did not answer the check ({error}); will check again next run"
    ),
    "instagram.no_clear_answer": N_("no clear answer ({error})"),
    "instagram.no_detail": N_("no detail"),
    "instagram.not_ready": N_("Instagram: the media is not ready yet (code {code})"),
    "instagram.processing": N_(
        "Instagram was still processing the image after {seconds} s; the post stays queued"
    ),
    "instagram.state_unknown": N_("couldn't confirm: the container is {state}; will check again next run"),
    "instagram.token": N_(
        "Instagram refused the access token (code 190: expired or revoked). Make a new token and set "
        "SIARAN_INSTAGRAM_TOKEN; the posts stay queued."
    ),
    "instagram.unclear": N_(
        "couldn't confirm: {why}. The post may be live; siaran checks again on the next "
        "`siaran instagram publish` or `siaran instagram sync` and never publishes it twice blindly."
    ),
    "instagram.unclear_answer": N_("Instagram answered {code}: {error}"),
    "instagram.unknown": N_("unknown"),
    "instagram.unreachable": N_("could not reach the Instagram Graph API: {error}"),
}

# WhatsApp Cloud API (siaran.channels.whatsapp_cloud): "meta.<code>" words one of Meta's error codes.
CLOUD = {
    "cloud.error": N_("WhatsApp Cloud API error {code}"),
    "cloud.server": N_("Meta server error ({detail})"),
    "cloud.template": N_("template problem: {detail}"),
    "cloud.template_check": N_("check the template name, language and parameters"),
    "cloud.upload": N_("uploading {name}: {reason}"),
    "meta.0": N_("authentication failed: check SIARAN_WHATSAPP_TOKEN"),
    "meta.1": N_("API unknown error"),
    "meta.2": N_("API service temporarily unavailable"),
    "meta.4": N_("app request limit reached"),
    "meta.10": N_("permission denied: the token lacks whatsapp_business_messaging permission"),
    "meta.100": N_("invalid parameter"),
    "meta.190": N_(
        "the access token expired or is invalid: create a new one in Meta Business Settings "
        "(System User token) and set SIARAN_WHATSAPP_TOKEN"
    ),
    "meta.200": N_("permission denied: the token lacks whatsapp_business_messaging permission"),
    "meta.368": N_("the account is temporarily blocked for policy violations: see Meta Business Support"),
    "meta.80007": N_("WhatsApp Business Account rate limit reached"),
    "meta.130429": N_("throughput limit of the phone number reached"),
    "meta.131000": N_("something went wrong at Meta"),
    "meta.131008": N_("a required parameter is missing"),
    "meta.131009": N_("a parameter value is invalid"),
    "meta.131016": N_("WhatsApp service temporarily overloaded"),
    "meta.131021": N_("the recipient is the sender's own number"),
    "meta.131026": N_("message undeliverable: the number is not on WhatsApp or cannot receive this message"),
    "meta.131030": N_("the number is not in the allowed list of this test phone number"),
    "meta.131031": N_("the WhatsApp Business Account is locked or restricted: see Meta Business Manager"),
    "meta.131042": N_("a payment problem on the WhatsApp Business Account: fix the payment method"),
    "meta.131045": N_("the phone number is not registered on the Cloud API (certificate missing)"),
    "meta.131047": N_(
        "more than 24 hours since this person last wrote: configure an approved template (whatsapp.template)"
    ),
    "meta.131048": N_(
        "spam rate limit hit: too many people blocked or reported these messages; stop this campaign "
        "and review its content and lists before sending again"
    ),
    "meta.131050": N_("this person stopped marketing messages from the office"),
    "meta.131051": N_("unsupported message type"),
    "meta.131052": N_("media download error"),
    "meta.131053": N_("media upload error"),
    "meta.131056": N_("too many messages to this person in a short time (pair rate limit)"),
    "meta.133010": N_("the phone number is not registered on the Cloud API"),
}

# The daemon's pass, as its heartbeat keeps it: how many occurrences ended in each state.
DAEMON = {
    "daemon.count": N_("{n} {status}"),
    "daemon.nothing_due": N_("nothing due"),
    "status.done": N_("done"),
    "status.failed": N_("failed"),
    "status.held": N_("held"),
    "status.running": N_("running"),
    "status.skipped": N_("skipped"),
    "status.waiting": N_("waiting"),
}

ALERT = {
    "alert.apprise_failed": N_("Apprise could not deliver to every alert URL"),
    "alert.no_target": N_("no alert target: set alerts.urls or whatsapp.operator"),
    "alert.operator_invalid": N_("whatsapp.operator is not a valid number: {reason}"),
    "alert.operator_whatsapp": N_("operator WhatsApp: {error}"),
}

CODES: dict[str, str] = {
    **GENERAL, **DELIVERY, **OCCURRENCE, **SCHEDULE, **HTTP, **FONNTE, **WAHA, **CLOUD, **INSTAGRAM, **DAEMON, **ALERT,
}  # fmt: skip
