"""Example tests of the mapping rules: sections, negation, arms and comparators,
non-exercise studies, population, outcomes, design. Cases written from the vocabulary
and from how real abstracts phrase things, not from the gold files."""

from __future__ import annotations

import pytest

from protocols.mapping.cues import default_cues
from protocols.mapping.sections import split_abstract
from protocols.mapping.text import analyse
from tests.test_mapping_helpers import check_provenance, domains, mapped, record, types

# ---------------------------------------------------------------- sections


def _roles(abstract):
    return [
        (s.role, abstract[s.start : s.end])
        for s in split_abstract(analyse(abstract), default_cues())
    ]


def test_labelled_lines_give_roles():
    abstract = (
        "BACKGROUND: Yoga helps.\nMETHODS: We randomised 40 adults.\nRESULTS: Pain fell.\n"
        "CONCLUSIONS: Fine."
    )
    assert [r for r, _ in _roles(abstract)] == ["background", "methods", "results", "conclusion"]


def test_inline_labels_and_label_lines_without_colon():
    abstract = "Objective. To determine X. Methods. We did Y. Results. Z happened."
    assert [r for r, _ in _roles(abstract)] == ["aim", "methods", "results"]
    abstract = "Background\n\nWalking helps.\n\nMethods\n\nWe randomised 10."
    assert [r for r, _ in _roles(abstract)] == ["background", "methods"]


def test_unlabelled_abstract_background_ends_at_the_aim_sentence():
    abstract = (
        "Yoga is popular. Evidence is scarce. The aim of this study was to test pilates. It worked."
    )
    roles = _roles(abstract)
    assert [r for r, _ in roles] == ["background", "background", "aim", "aim"]


def test_background_exercise_is_not_this_studys_intervention():
    entries = mapped(
        "Effects of a programme on chronic low back pain",
        "BACKGROUND: Yoga and tai chi were studied before.\n"
        "METHODS: Participants were randomised to Pilates exercise or usual care.\n"
        "RESULTS: Pain improved.",
    )
    assert types(entries) == {"pilates"}


def test_unlabelled_background_sentence_is_skipped():
    entries = mapped(
        "A trial in low back pain",
        "Aquatic exercise is often used. This study compared McKenzie therapy with advice.",
    )
    assert types(entries) == {"mckenzie"}


# ---------------------------------------------------------------- negation


def test_no_adverse_events_still_measured_adverse_events():
    entries = mapped(
        "Yoga for neck pain", "METHODS: Yoga classes. RESULTS: No adverse events occurred."
    )
    assert "adverse_events" in domains(entries)


def test_lack_of_hypoalgesia_still_measured_hypoalgesia():
    entries = mapped("Lack of exercise-induced hypoalgesia after cycling in fibromyalgia")
    assert "hypoalgesia" in domains(entries)
    assert types(entries) == {"aerobic"}


@pytest.mark.parametrize(
    "phrase",
    [
        "patients without sciatica",
        "patients with no history of disc herniation",
        "patients free of radiculopathy",
    ],
)
def test_negated_pathology_is_not_a_specific_population(phrase):
    entries = mapped("Walking for low back pain", f"METHODS: We randomised {phrase} to walking.")
    assert entries[0].population.specificity == "unspecified"


def test_excluded_pathology_is_not_a_specific_population():
    entries = mapped(
        "Walking for low back pain",
        "METHODS: Adults with low back pain were randomised. "
        "Those with spinal stenosis were excluded.",
    )
    assert entries[0].population.specificity == "unspecified"


def test_named_pathology_is_specific():
    entries = mapped("Stabilization exercise for patients with lumbar disc herniation")
    assert entries[0].population.specificity == "specific"


def test_no_exercise_control_is_not_an_arm():
    entries = mapped("Pilates versus no exercise in older adults")
    assert types(entries) == {"pilates"}
    assert "waitlist_no_treatment" in entries[0].comparators


# ---------------------------------------------------------------- arms and comparators


def test_one_entry_per_exercise_arm_with_the_other_as_comparator():
    entries = mapped("Yoga versus stretching for chronic low back pain: a randomized trial")
    assert [e.exercise_types for e in entries] == [("yoga",), ("stretching",)]
    assert all("other_exercise" in e.comparators for e in entries)
    assert [e.entry_id for e in entries] == ["rtest00000001-1", "rtest00000001-2"]


@pytest.mark.parametrize(
    ("title", "comparator"),
    [
        ("Motor control exercise versus placebo in chronic low back pain", "placebo_sham"),
        ("Tai chi compared with usual care for knee osteoarthritis", "usual_care"),
        ("Yoga or a waitlist control for fibromyalgia", "waitlist_no_treatment"),
        ("Walking programme versus education and advice for back pain", "education_advice"),
        ("Graded activity or spinal manipulation for back pain", "manual_passive"),
    ],
)
def test_comparators_never_become_exercise_types(title, comparator):
    entries = mapped(title)
    assert comparator in entries[0].comparators
    assert len(types(entries)) == 1


def test_sham_exercise_is_a_control_not_an_arm():
    entries = mapped("Pilates versus sham stretching for neck pain")
    assert types(entries) == {"pilates"}


def test_unnamed_exercise_is_general_only_without_a_named_type():
    assert types(mapped("Exercise therapy for chronic low back pain")) == {"general"}
    assert types(mapped("Exercise therapy with Nordic walking for chronic low back pain")) == {
        "aerobic"
    }
    assert types(mapped("General exercise versus Pilates")) == {"general", "pilates"}


@pytest.mark.parametrize(
    "title",
    [
        "Duloxetine 60 mg versus placebo for chronic low back pain",
        "Lumbar fusion surgery versus non-operative care",
        "Epidural steroid injection for lumbar radiculopathy",
        "Spinal manipulation for acute low back pain",
        "Cognitive behavioural therapy for chronic pain",
        "Diagnostic accuracy of MRI in low back pain",
    ],
)
def test_non_exercise_studies_give_one_entry_without_types(title):
    entries = mapped(title, "METHODS: All participants were advised to exercise at home.")
    assert len(entries) == 1
    assert entries[0].exercise_types == ()
    assert entries[0].dosage.weeks is None


def test_exercise_as_advice_only_is_not_an_arm():
    entries = mapped(
        "Paracetamol for acute low back pain",
        "METHODS: Patients received paracetamol tablets or placebo; all were given advice to "
        "keep walking. RESULTS: No difference.",
    )
    assert types(entries) == set()


# ---------------------------------------------------------------- population


@pytest.mark.parametrize(
    ("words", "chronicity"),
    [
        ("chronic low back pain", "chronic"),
        ("persistent low back pain", "chronic"),
        ("long-standing neck pain", "chronic"),
        ("acute low back pain", "acute"),
        ("subacute low back pain", "subacute"),
        ("CLBP", "chronic"),
    ],
)
def test_chronicity_words(words, chronicity):
    assert mapped(f"Yoga for {words}")[0].population.chronicity == chronicity


@pytest.mark.parametrize(
    "duration",
    [
        "low back pain for at least 3 months",
        "back pain > 12 weeks",
        "LBP for more than three months",
    ],
)
def test_chronicity_from_a_stated_duration(duration):
    entries = mapped("Yoga trial", f"METHODS: Adults with {duration} were randomised to yoga.")
    assert entries[0].population.chronicity == "chronic"


@pytest.mark.parametrize(
    ("duration", "chronicity"),
    [
        # A lower bound under 12 weeks leaves the band open: the pain may be chronic.
        ("back pain for at least six weeks", "unspecified"),
        ("LBP of more than 4 weeks' duration", "unspecified"),
        # A stated length is a band.
        ("back pain lasting 8 weeks", "subacute"),
        ("neck pain lasting 3 weeks", "acute"),
    ],
)
def test_chronicity_from_a_lower_bound_or_a_length(duration, chronicity):
    entries = mapped("Yoga trial", f"METHODS: Adults with {duration} were randomised to yoga.")
    assert entries[0].population.chronicity == chronicity


def test_chronic_describing_something_else_is_not_chronicity():
    entries = mapped(
        "Yoga trial", "METHODS: Adults with low back pain and chronic diseases did yoga."
    )
    assert entries[0].population.chronicity == "unspecified"


@pytest.mark.parametrize("words", ["non-specific", "nonspecific", "unspecific", "non specific"])
def test_nonspecific_spellings(words):
    assert mapped(f"Pilates for chronic {words} low back pain")[0].population.specificity == (
        "nonspecific"
    )


def test_nonspecific_about_the_exercises_is_not_the_population():
    entries = mapped(
        "Pilates for chronic low back pain",
        "METHODS: The control group did a generic set of exercises that were nonspecific.",
    )
    assert entries[0].population.specificity == "unspecified"


@pytest.mark.parametrize(
    ("title", "condition"),
    [
        ("Tai chi for knee osteoarthritis", "osteoarthritis"),
        ("Aquatic exercise in fibromyalgia", "fibromyalgia"),
        ("Yoga for chronic neck pain", "neck_pain"),
        ("Cycling in healthy adults", "healthy"),
        ("Walking in people with low back pain compared with healthy controls", "low_back_pain"),
        ("Walking programme for older adults with spinal stenosis", "low_back_pain"),
        ("Exercise before surgery for cervical spinal stenosis", "neck_pain"),
    ],
)
def test_condition(title, condition):
    assert mapped(title)[0].population.condition == condition


def test_sample_size_from_number_words_and_n():
    abstract = (
        "METHODS: Eighty-seven volunteers were randomized to yoga (n = 44) or stretching (n = 43)."
    )
    assert mapped("Yoga trial", abstract)[0].population.sample_size == 87
    abstract = "METHODS: Randomized controlled trial recruiting N = 174 adults with CLBP."
    assert mapped("Walking trial", abstract)[0].population.sample_size == 174
    abstract = "METHODS: Participants were allocated to yoga (n = 20) or walking (n = 22)."
    assert mapped("Yoga trial", abstract)[0].population.sample_size == 42


def test_age_group():
    assert (
        mapped("Tai chi for older adults with back pain")[0].population.age_group == "older_adults"
    )


# ---------------------------------------------------------------- outcomes


def test_outcome_measures_are_named():
    entries = mapped(
        "Pilates trial",
        "METHODS: Outcomes were the Oswestry Disability Index, pressure pain thresholds, "
        "the Tampa Scale of Kinesiophobia, EQ-5D, surface EMG and maximal inspiratory pressure.",
    )
    outcomes = {o.domain: o.measure for o in entries[0].outcomes}
    assert outcomes == {
        "disability_function": "Oswestry Disability Index",
        "hypoalgesia": "pressure pain thresholds",
        "psychological": "Tampa Scale of Kinesiophobia",
        "quality_of_life": "EQ-5D",
        "muscle_activation": "surface EMG",
        "respiratory": "maximal inspiratory pressure",
    }


def test_parenthesised_measures_belong_to_the_domain_before_them():
    entries = mapped(
        "Aquatic exercise trial",
        "METHODS: We measured health-related fitness (sit and reach, handgrip strength, 6-minute "
        "walk test).",
    )
    assert domains(entries) == {"fitness"}


# ---------------------------------------------------------------- design


@pytest.mark.parametrize(
    ("title", "design"),
    [
        ("Yoga for back pain: a randomised controlled trial", "rct"),
        ("Yoga for back pain: a non-randomized controlled trial", "non_randomised_trial"),
        ("Exercise for back pain: a systematic review and meta-analysis", "meta_analysis"),
        ("Exercise for back pain: a systematic review", "systematic_review"),
        ("Exercise for back pain: a narrative review", "narrative_review"),
        ("Yoga for back pain: study protocol for a randomised controlled trial", "protocol"),
        ("Experiences of yoga for back pain: a qualitative study", "qualitative"),
        ("Yoga for back pain", "unknown"),
    ],
)
def test_design_from_the_title(title, design):
    assert mapped(title)[0].design == design


def test_design_from_the_abstract_and_review_board_is_not_a_review():
    abstract = (
        "METHODS: The institutional review board approved. Adults were randomly assigned to yoga."
    )
    assert mapped("Yoga for back pain", abstract)[0].design == "rct"


# ---------------------------------------------------------------- provenance


def test_every_coded_value_has_provenance():
    rec = record(
        "Clinical Pilates versus general exercise for chronic low back pain: randomized trial",
        "METHODS: Eighty-seven volunteers were randomized. Sessions of 60 min twice weekly for 6 "
        "weeks, supervised by a physiotherapist. Outcomes: pain (NRS), disability (RMDQ).",
        keywords=("Pilates", "low back pain"),
    )
    from protocols.mapping import map_record

    entries = map_record(rec)
    check_provenance(rec, entries)
    for entry in entries:
        fields = {p.field for p in entry.provenance}
        assert "exercise_types" in fields and "design" in fields and "outcomes" in fields
        assert {"population.condition", "population.chronicity", "population.sample_size"} <= fields
        assert {"dosage.weeks", "dosage.sessions_per_week", "dosage.minutes_per_session"} <= fields
        values = {(p.field, p.value) for p in entry.provenance}
        for domain in (o.domain for o in entry.outcomes):
            assert ("outcomes", domain) in values
        for item in entry.reporting.cert_reported:
            assert ("reporting.cert", item) in values


def test_drug_trial_with_encouraged_walking_is_not_an_exercise_study():
    entries = mapped(
        "Efficacy of celecoxib versus placebo in chronic low back pain: a double-blind trial",
        "METHODS: 400 adults were randomised to celecoxib 200 mg daily or placebo for 12 weeks. "
        "All participants were encouraged to continue walking and home exercise.",
    )
    assert types(entries) == set()
    assert entries[0].design == "rct"


def test_reliability_study_is_other_design_and_not_exercise():
    entries = mapped(
        "Reliability of the Biering-Sorensen test in patients with lumbar spinal stenosis",
        "Purpose: To examine the test-retest reliability of the test. Methods: Thirty patients "
        "performed the test twice.",
    )
    assert types(entries) == set()
    assert entries[0].design == "other"
    assert entries[0].population.condition == "low_back_pain"
    assert entries[0].population.specificity == "specific"


def test_chinese_titles_are_matched_character_by_character():
    entries = mapped("太极拳对慢性非特异性下腰痛患者疼痛的影响：随机对照试验")
    assert types(entries) == {"tai_chi_qigong"}
    population = entries[0].population
    assert (population.condition, population.chronicity, population.specificity) == (
        "low_back_pain",
        "chronic",
        "nonspecific",
    )
    assert entries[0].design == "rct"


def _arms(entries):
    return [e.exercise_types for e in entries]


@pytest.mark.parametrize(
    "title",
    [
        "Stretching and strengthening exercises for chronic neck pain",
        "A programme of stretching, strengthening and aerobic exercise for fibromyalgia",
        "Balance, strengthening, and walking exercises in older adults after hip fracture",
        "Strengthening plus stretching exercise for patellofemoral pain",
    ],
)
def test_types_listed_as_one_programme_are_one_arm(title):
    entries = mapped(title)
    assert len(entries) == 1 and len(entries[0].exercise_types) >= 2
    assert entries[0].arm is None and "other_exercise" not in entries[0].comparators
    check_provenance(record(title), entries)


def test_a_list_with_an_item_that_is_no_type_is_still_one_programme():
    entries = mapped(
        "Exercise for fibromyalgia",
        "METHODS: The exercise protocol consisted of stretching, strengthening, spine mobility, "
        "and aerobic exercises, three times a week.",
    )
    assert _arms(entries) == [("stretching", "resistance", "aerobic")]
    provenance = {p.value: p.text for p in entries[0].provenance if p.field == "exercise_types"}
    assert provenance == {
        "stretching": "stretching",
        "resistance": "strengthening",
        "aerobic": "aerobic exercises",
    }


def test_one_term_naming_two_types_is_one_arm():
    entries = mapped("Motor skill training versus strength and flexibility exercise for back pain")
    assert _arms(entries) == [("motor_control",), ("resistance", "stretching")]
    assert entries[1].arm == "strength and flexibility exercise"
    assert entries[1].comparators == ("other_exercise",)


@pytest.mark.parametrize(
    "title",
    [
        # Each name has a head word of its own: two programmes.
        "Core stabilisation exercise and strengthening exercise for subacute low back pain",
        "Aerobic training and resistance training in chronic low back pain: a randomised trial",
        # Set against each other.
        "Stretching versus strengthening exercises for chronic neck pain",
        "Stretching or strengthening for chronic neck pain: a randomised trial",
    ],
)
def test_programmes_named_apart_or_set_against_each_other_are_two_arms(title):
    entries = mapped(title)
    assert len(entries) == 2
    assert all(len(e.exercise_types) == 1 and "other_exercise" in e.comparators for e in entries)


@pytest.mark.parametrize(
    ("methods", "arms"),
    [
        # A list of alternatives: its last names are set against each other ("or").
        ("Adults were randomised to yoga, stretching or a self-care book.", 2),
        ("Adults were randomised to Pilates, yoga, or McKenzie exercises.", 3),
        # A list of one programme's parts, ending in "and".
        ("The programme was stretching, strengthening, and walking.", 1),
    ],
)
def test_a_list_ending_in_or_is_a_list_of_arms(methods, arms):
    entries = mapped("Exercise for chronic low back pain", f"METHODS: {methods}")
    assert len(entries) == arms


def test_types_named_as_groups_are_arms_of_their_own():
    entries = mapped(
        "Stabilisation and McKenzie exercises for chronic low back pain",
        "METHODS: Thirty patients were randomly assigned to two groups: McKenzie or stabilisation "
        "exercise. RESULTS: Disability decreased only in the stabilisation group.",
    )
    assert sorted(_arms(entries)) == [("mckenzie",), ("motor_control",)]


def test_types_of_different_sentences_are_not_joined():
    entries = mapped(
        "Two exercise programmes for chronic low back pain",
        "METHODS: One group practised yoga. The other group did stretching and walking.",
    )
    assert _arms(entries) == [("yoga",), ("stretching", "aerobic")]


def test_a_co_intervention_of_an_arm_is_not_its_comparator():
    entries = mapped(
        "General strength training versus motor control exercise plus manual therapy for chronic "
        "low back pain"
    )
    by_type = {e.exercise_types: e.comparators for e in entries}
    assert "manual_passive" not in by_type[("motor_control",)]
    assert "manual_passive" in by_type[("resistance",)]


def test_home_exercise_is_exercise_at_home():
    entries = mapped("Home exercise for knee osteoarthritis")
    assert types(entries) == {"general"}
    assert entries[0].dosage.setting == "home"


def test_non_in_non_specific_negates_nothing():
    entries = mapped("Pilates for chronic non-specific low back pain")
    population = entries[0].population
    assert (population.condition, population.specificity) == ("low_back_pain", "nonspecific")


@pytest.mark.parametrize(
    ("sentence", "age_group"),
    [
        ("Sixty patients aged 18-60 years were randomized to yoga.", "adults"),
        ("Participants aged 65 to 85 years were randomized to tai chi.", "older_adults"),
        ("Eighty participants (mean age: 44.0 y) were randomized to walking.", "adults"),
        ("Children aged 8-12 years were randomized to exergaming.", "children"),
    ],
)
def test_age_group_from_stated_ages(sentence, age_group):
    entries = mapped("An exercise trial", f"METHODS: {sentence}")
    assert entries[0].population.age_group == age_group


# ---------------------------------------------------------------- exercise types named in more ways


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Qi gong for women with fibromyalgia", {"tai_chi_qigong"}),
        ("Qigong for women with fibromyalgia", {"tai_chi_qigong"}),
        ("Qi-gong for women with fibromyalgia", {"tai_chi_qigong"}),
        ("Strength exercises for office workers with neck pain", {"resistance"}),
        ("Strengthening training for hip osteoarthritis", {"resistance"}),
        (
            "Land-based exercise versus aquatic exercise for knee osteoarthritis",
            {"general", "aquatic"},
        ),
        (
            "Active exercise therapy versus spinal manipulation for chronic low back pain",
            {"general"},
        ),
        ("An active exercise programme versus yoga in fibromyalgia", {"general", "yoga"}),
        ("Physical exercise for chronic low back pain", {"general"}),
        ("Strength and flexibility exercise for low back pain", {"resistance", "stretching"}),
        ("Deep neck flexor training in office workers with neck pain", {"motor_control"}),
        ("Craniocervical flexion exercise after whiplash", {"motor_control"}),
        ("Isometric exercise for people with knee osteoarthritis", {"resistance"}),
    ],
)
def test_exercise_type_spellings_and_general_programmes(title, expected):
    assert types(mapped(title)) == expected


def test_strength_exercise_in_a_title_is_the_intervention_not_an_outcome():
    entries = mapped("Strength exercise compared with walking in older adults")
    assert "muscle_performance" not in domains(entries)


def test_exercise_aimed_at_the_deep_trunk_muscles_is_motor_control():
    entries = mapped(
        "Two exercise programmes for chronic low back pain",
        "METHODS: Both groups did exercises targeting the transversus abdominis and lumbar "
        "multifidus, in sitting and standing.",
    )
    assert "motor_control" in types(entries)
    assert types(mapped("Deep muscle training for chronic low back pain")) == {"motor_control"}


def test_exercise_measured_by_its_effect_on_a_deep_muscle_is_not_motor_control():
    entries = mapped(
        "Exercise and low back pain",
        "METHODS: We measured the effect of exercise on multifidus cross-sectional area.",
    )
    assert types(entries) == {"general"}


def test_a_non_drug_treatment_in_the_title_is_not_a_drug_trial():
    entries = mapped(
        "Non-pharmacological treatment for fibromyalgia: a randomised trial",
        "METHODS: Women were randomised to qigong or an active exercise programme.",
    )
    assert types(entries) == {"tai_chi_qigong", "general"}


# ---------------------------------------------------------------- outcomes that are not outcomes


def test_baseline_characteristics_are_not_outcomes():
    entries = mapped(
        "Pilates for chronic low back pain",
        "METHODS: Sixty adults (mean age 41 years, BMI 27.3 kg/m2) were randomised to Pilates "
        "or walking. Pain intensity was the primary outcome.",
    )
    assert domains(entries) == {"pain_intensity"}


def test_body_mass_index_measured_as_an_outcome_still_counts():
    entries = mapped(
        "Walking for obese adults with back pain",
        "METHODS: Secondary outcomes were body mass index and pain, assessed at 12 weeks.",
    )
    assert {"other", "pain_intensity"} <= domains(entries)


def test_a_group_named_in_capitals_is_not_an_outcome():
    entries = mapped(
        "Two home programmes for chronic neck pain",
        "METHODS: Women were randomised to the STRENGTH group or the STRETCH group. Neck "
        "disability was measured with the NDI.",
    )
    assert "muscle_performance" not in domains(entries)
    assert "disability_function" in domains(entries)


def test_strength_of_evidence_is_not_muscle_strength():
    entries = mapped(
        "Walking for low back pain: a systematic review",
        "Pain was the outcome of the included trials. The strength of evidence was low, and "
        "the strength of effect of walking remains unclear.",
    )
    assert "muscle_performance" not in domains(entries)


def test_an_importance_section_is_background():
    entries = mapped(
        "Motor control training for chronic low back pain",
        "Importance: Back pain is the commonest chronic pain condition in adults.\n"
        "Objective: To compare motor control training with walking.\n"
        "Main Outcomes and Measures: Disability on the Roland-Morris questionnaire.",
    )
    assert domains(entries) == {"disability_function"}


def test_unlabelled_lead_in_before_a_labelled_aim_is_background():
    entries = mapped(
        "Cycling intensity and exercise-induced hypoalgesia",
        "Many people find vigorous exercise painful and yoga is popular.\n"
        "Purpose: To test whether moderate cycling reduces pressure pain thresholds.",
    )
    assert types(entries) == {"aerobic"}


def test_planned_outcomes_of_a_protocol_are_outcomes():
    entries = mapped(
        "Pilates versus education for chronic low back pain: study protocol for a randomised "
        "controlled trial",
        "Introduction: Low back pain is common and costly. The current study will compare "
        "Pilates with an education class.\n"
        "Methods and analysis: 120 adults will be randomised. The primary outcomes will be "
        "pain intensity and disability.",
    )
    assert {"pain_intensity", "disability_function"} <= domains(entries)
    assert entries[0].design == "protocol"


# ---------------------------------------------------------------- population


@pytest.mark.parametrize(
    ("title", "condition"),
    [
        ("Strength training and knee pain in adults with knee osteoarthritis", "osteoarthritis"),
        ("Walking for people with knee OA", "osteoarthritis"),
        ("Workplace exercise for neck/shoulder pain in office workers", "neck_pain"),
        ("Workplace exercise for neck and shoulder pain", "neck_pain"),
        ("Yoga for shoulder pain", "other"),
        ("Walking in healthy controls and in adults with obesity", "other"),
    ],
)
def test_condition_named_with_its_joint_or_region(title, condition):
    assert mapped(title)[0].population.condition == condition


def test_an_age_limit_is_not_a_duration_of_pain():
    entries = mapped(
        "Strength training for knee pain",
        "METHODS: Adults aged ≥50 years with knee pain were randomised to strength training.",
    )
    assert entries[0].population.chronicity == "unspecified"
    entries = mapped(
        "Walking for knee pain",
        "METHODS: People over 60 years old with knee pain walked daily.",
    )
    assert entries[0].population.chronicity == "unspecified"


def test_pain_lasting_years_is_still_chronic():
    entries = mapped(
        "Yoga trial", "METHODS: Adults with low back pain for more than 1 year did yoga."
    )
    assert entries[0].population.chronicity == "chronic"


@pytest.mark.parametrize(
    "words",
    ["acute and chronic low back pain", "acute or subacute low back pain", "acute/chronic LBP"],
)
def test_a_mixed_population_has_no_single_chronicity(words):
    assert mapped(f"Walking for {words}")[0].population.chronicity == "unspecified"


# ---------------------------------------------------------------- design


def test_single_session_laboratory_study_in_healthy_people_is_experimental():
    entries = mapped(
        "Cycling intensity and pain sensitivity",
        "METHODS: Fourteen healthy young men attended three testing sessions in a "
        "counterbalanced order: cycling at moderate intensity, at vigorous intensity, and quiet "
        "rest. Pressure pain thresholds were measured before and after each session.",
    )
    assert entries[0].design == "experimental"
    assert entries[0].population.condition == "healthy"


def test_a_randomised_crossover_trial_is_still_an_rct():
    entries = mapped(
        "Walking and pain", "METHODS: In a randomised crossover trial, adults walked or rested."
    )
    assert entries[0].design == "rct"


def test_a_label_with_a_dotted_capital_i_still_opens_its_section():
    # "İ" matches "i" when case is ignored, but casefolds to "i̇": this raised KeyError.
    entries = mapped(
        "Walking for chronic low back pain",
        "AİMS: To test walking. METHODS: Adults walked for 8 weeks. RESULTS: Pain fell.",
    )
    assert entries and entries[0].dosage.weeks == 8


@pytest.mark.parametrize(
    ("measured", "domain"),
    [
        ("Posturography was recorded on a force plate", "balance_proprioception"),
        ("Stabilometric parameters were recorded with eyes closed", "balance_proprioception"),
        ("The tender point count was taken by a blinded assessor", "hypoalgesia"),
        ("Pressure algometry was done over the trapezius", "hypoalgesia"),
        ("Employment status was asked at one year", "work"),
        ("The patient global assessment was taken at each visit", "global_impression"),
        ("NSAID intake was recorded in a diary", "healthcare_use"),
    ],
)
def test_outcome_wordings(measured, domain):
    entries = mapped("Yoga for chronic low back pain", f"METHODS: {measured}.")
    assert domain in domains(entries)


@pytest.mark.parametrize(
    ("abstract", "design"),
    [
        ("METHODS: Participants will be randomly allocated to yoga or usual care.", "protocol"),
        ("METHODS: Adults will be randomized to yoga or a waitlist.", "protocol"),
        ("This paper describes the protocol of a trial of yoga for back pain.", "protocol"),
        ("METHODS: Participants were randomly allocated to yoga or usual care.", "rct"),
    ],
)
def test_a_trial_told_in_the_future_tense_is_a_protocol(abstract, design):
    assert mapped("Yoga for chronic low back pain", abstract)[0].design == design
