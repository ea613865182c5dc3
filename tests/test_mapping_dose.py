"""Dose (FITT-VP): digits and number words, ranges, time points, ACSM intensity bands."""

from __future__ import annotations

import pytest

from protocols.mapping.cues import default_cues
from protocols.mapping.numbers import word_value
from tests.test_mapping_helpers import check_provenance, mapped, record


def dose(sentence: str, title: str = "Yoga for chronic low back pain"):
    entries = mapped(title, f"METHODS: {sentence}")
    return entries[0].dosage


@pytest.mark.parametrize(
    ("sentence", "field", "value"),
    [
        ("Participants did yoga for eight weeks.", "weeks", 8),
        ("Participants did yoga for 8 weeks.", "weeks", 8),
        ("Participants attended a 12-week programme of yoga.", "weeks", 12),
        ("Yoga for 6 wk.", "weeks", 6),
        ("They completed a 6-month programme of yoga.", "weeks", 26),
        ("They completed a six-month yoga intervention.", "weeks", 26),
        ("Yoga was practised twice a week.", "sessions_per_week", 2),
        ("Yoga was practised three times weekly.", "sessions_per_week", 3),
        ("Yoga was practised once per week.", "sessions_per_week", 1),
        ("Yoga classes were held 2-3 times a week.", "sessions_per_week", (2, 3)),
        ("Yoga, three sessions per week.", "sessions_per_week", 3),
        ("Yoga, 2/week.", "sessions_per_week", 2),
        ("Yoga was practised twice-weekly.", "sessions_per_week", 2),
        ("They attended 24 sessions over 12 weeks.", "sessions_total", 24),
        ("They attended 24 sessions over 12 weeks.", "weeks", 12),
        ("Participants performed a single session of yoga.", "sessions_total", 1),
        ("Eighteen 40-minute sessions of yoga.", "minutes_per_session", 40),
        ("Sessions lasted 40-60 min.", "minutes_per_session", (40, 60)),
        ("Sessions of forty to sixty minutes.", "minutes_per_session", (40, 60)),
        ("about one hour each session", "minutes_per_session", 60),
        ("3 sets of 10 repetitions", "sets", 3),
        ("3 sets of 10 repetitions", "repetitions", 10),
    ],
)
def test_dose_facts(sentence, field, value):
    assert getattr(dose(sentence), field) == value


def test_ten_minutes_of_exercise_in_a_title():
    entries = mapped("Ten Minutes of Core Stabilisation Exercise in Chronic Low Back Pain")
    assert entries[0].dosage.minutes_per_session == 10


@pytest.mark.parametrize(
    "sentence",
    [
        "Pain was measured at 12 weeks and at 6 months.",
        "Outcomes were assessed at the 24-week follow-up.",
        "Adults with pain for more than 3 months did yoga.",
        "Pain differed at week 14 of treatment.",
        "A 3-month follow-up was done.",
        "Participants were followed for 52 weeks.",
    ],
)
def test_time_points_and_symptom_durations_are_not_programme_lengths(sentence):
    assert dose(sentence).weeks is None


def test_walk_test_minutes_are_not_session_length():
    assert dose("Fitness was measured with the 6-minute walk test.").minutes_per_session is None


def test_the_title_and_programme_wording_win():
    d = dose("The 8-week yoga programme was followed by reassessment at 12 weeks.")
    assert d.weeks == 8


@pytest.mark.parametrize(
    ("sentence", "metric", "low", "high", "class_"),
    [
        ("Cycling at 70% of peak VO2.", "vo2max_pct", 70, 70, "vigorous"),
        ("Walking at 50% of VO2max.", "vo2max_pct", 50, 50, "moderate"),
        ("Cycling at 60-75% HRmax.", "hrmax_pct", 60, 75, "moderate"),
        ("Running at 80% of maximal heart rate.", "hrmax_pct", 80, 80, "vigorous"),
        ("Cycling at 40-59% of heart rate reserve.", "hrr_pct", 40, 59, "moderate"),
        ("Loads of 80% 1RM were lifted.", "one_rm_pct", 80, 80, "vigorous"),
        ("Training was at RPE 13.", "rpe", 13, 13, "moderate"),
        ("Training at an RPE of 15-17.", "rpe", 15, 17, "vigorous"),
        ("Breathing training at 30% of maximal inspiratory pressure.", "mip_pct", 30, 30, None),
    ],
)
def test_intensity_metric_and_acsm_class(sentence, metric, low, high, class_):
    intensity = dose(sentence).intensity
    assert (intensity.metric, intensity.low, intensity.high, intensity.class_) == (
        metric,
        low,
        high,
        class_,
    )


def test_intensity_in_words():
    intensity = dose("Participants did high-intensity interval training.").intensity
    assert (intensity.metric, intensity.class_) == ("descriptor", "vigorous")


def test_supervision_delivery_setting():
    d = dose(
        "Classes were delivered in a group format, supervised by a physiotherapist, plus daily "
        "home exercise."
    )
    assert d.supervision == "mixed"
    assert d.delivery == "group"
    assert d.setting is not None


@pytest.mark.parametrize(
    ("word", "value"),
    [("eight", 8), ("Thirty‑three", 33), ("eighty-seven", 87), ("twice", 2), ("twenty one", 21)],
)
def test_number_words(word, value):
    assert word_value(word, default_cues()) == value


def test_dose_provenance_points_at_the_words():
    rec = record("Yoga trial", "METHODS: Yoga twice a week for eight weeks, 45-minute sessions.")
    from protocols.mapping import map_record

    entries = map_record(rec)
    check_provenance(rec, entries)
    by_field = {p.field: p.text for p in entries[0].provenance}
    assert by_field["dosage.weeks"] == "eight weeks"
    assert by_field["dosage.sessions_per_week"] == "twice a week"
    assert by_field["dosage.minutes_per_session"] == "45-minute"


def test_reporting_completeness_lists_reported_and_missing():
    entries = mapped(
        "Pilates for chronic low back pain",
        "METHODS: Supervised by a physiotherapist, 60-min sessions twice weekly for 6 weeks. "
        "RESULTS: Adherence was 90%. No adverse events occurred.",
    )
    reporting = entries[0].reporting
    assert {"2", "4", "5", "11", "13"} <= set(reporting.cert_reported)
    assert "1" in reporting.cert_missing
    assert not set(reporting.cert_reported) & set(reporting.cert_missing)
    assert len(reporting.cert_reported) + len(reporting.cert_missing) == 19
    assert {"1", "5", "8"} <= set(reporting.tidier_reported)


def test_non_exercise_records_have_no_dose_and_no_checklist():
    entries = mapped("Duloxetine for chronic low back pain", "METHODS: 60 mg daily for 12 weeks.")
    assert entries[0].dosage.weeks is None
    assert entries[0].reporting.cert_reported == ()


def test_a_count_of_weekly_classes_is_a_total_not_a_frequency():
    d = dose("Participants were assigned to 12 weekly yoga classes.")
    assert d.sessions_total == 12
    assert d.sessions_per_week == 1  # weekly classes: one a week, never twelve


def test_interval_bouts_are_not_the_session_length():
    d = dose(
        "Intervals of 4 x 4 min at 85-95% HRmax, or 47 min at 70% HRmax, three times per week."
    )
    assert d.minutes_per_session == 47
    assert d.sessions_per_week == 3


def test_frequency_words_give_whole_numbers():
    value = dose("Yoga was practised twice a week.").sessions_per_week
    assert value == 2 and isinstance(value, int)


def test_class_counts_with_several_words_between():
    d = dose(
        "Participants were randomized to 12 weekly 75-minute yoga classes or 15 therapy visits."
    )
    assert d.sessions_total == 12
    assert d.minutes_per_session == 75


def test_under_the_supervision_of_is_supervised():
    assert dose(
        "Exercise three times a week under the supervision of a physiotherapist."
    ).supervision == ("supervised")


@pytest.mark.parametrize(
    ("sentence", "field", "value"),
    [
        ("A 1-yr workplace training programme was offered to all employees.", "weeks", 52),
        ("Employees took part in a 1-year exercise programme.", "weeks", 52),
        ("Staff were offered a two-year yoga programme.", "weeks", 104),
        ("Patients joined a 3-month yoga programme.", "weeks", 13),
        ("Yoga was practised for a period of 4 weeks.", "weeks", 4),
        ("Both yoga programmes lasted three months.", "weeks", 13),
        ("Yoga classes twice a week for four weeks.", "weeks", 4),
        ("Yoga classes twice a week for four weeks.", "sessions_per_week", 2),
        ("The class arm will attend six classes over 6-8 weeks.", "weeks", (6, 8)),
        ("The class arm will attend six classes over 6-8 weeks.", "sessions_total", 6),
        ("Patients received 6 weekly 1-hour sessions of yoga.", "sessions_total", 6),
        ("Patients received 6 weekly 1-hour sessions of yoga.", "sessions_per_week", 1),
        ("Patients received 6 weekly 1-hour sessions of yoga.", "minutes_per_session", 60),
    ],
)
def test_more_ways_of_stating_the_programme(sentence, field, value):
    assert getattr(dose(sentence), field) == value


def test_a_stated_frequency_wins_over_weekly_sessions():
    d = dose("Eight weekly yoga sessions were offered, practised twice a week at home.")
    assert d.sessions_per_week == 2


def test_three_weekly_sessions_may_mean_three_a_week_and_gives_no_frequency():
    assert dose("Yoga in 3 weekly sessions.").sessions_per_week is None


def test_years_of_recruitment_or_follow_up_are_not_a_programme():
    assert dose("Adults were recruited over 2 years and did yoga.").weeks is None
    assert dose("Yoga participants were followed for 2 years.").weeks is None


def test_biweekly_is_ambiguous_and_left_unread():
    # "Bi-weekly" means twice a week as often as every two weeks.
    assert dose("Yoga classes were held bi-weekly for 8 weeks.").sessions_per_week is None
    assert dose("Yoga classes were held biweekly for 8 weeks.").sessions_per_week is None


@pytest.mark.parametrize(
    "sentence",
    [
        "Patients (pain duration 7.4 ± 2.35 weeks) were randomised to yoga.",
        "Mean symptom duration was 9 weeks; all patients did yoga.",
        "Their symptoms had lasted 10 weeks before they started yoga.",
        "Adults who had had neck pain for 10 weeks or longer were randomised to yoga.",
        "Patients suffering from back pain for 6 months were included.",
        "Outcomes were assessed after treatment, 6 months, and 12 months following treatment.",
        "Booster sessions of yoga were given 6 months following treatment.",
        "Pain was assessed at 6-month follow-up.",
        "Adults aged 40 years or older with a 2-year history of pain did yoga.",
    ],
)
def test_baseline_durations_and_follow_up_times_are_not_programme_lengths(sentence):
    assert dose(sentence).weeks is None


def test_a_follow_up_period_does_not_hide_the_programme_length():
    sentence = (
        "Tai chi was practised twice weekly for 24 weeks; participants were followed for 52 weeks."
    )
    assert dose(sentence).weeks == 24
