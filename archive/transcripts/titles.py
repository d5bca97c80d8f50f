"""Job titles: telling them from names, and captions from natural case."""


def words_of(text: str) -> list[str]:
    """The words of a vocabulary written as running text, which reads better than a list."""
    return text.split()


# Words that name a job, a rank or a role. A caption word is matched whole, so the
# plural forms that organisations use ("UNION OF INDUSTRIALISTS") never match.
JOB_WORDS = frozenset(
    words_of(
        """
        ACCOUNTANT ACTIVIST ACTOR ACTRESS ADMINISTRATOR ADMIRAL ADVISER ADVISOR ADVOCATE
        AGENT AIDE ALDERMAN AMBASSADOR ANALYST ANCHOR ANCHORMAN ANCHORWOMAN ANNOUNCER
        APPRENTICE ARCHITECT ARCHIVIST ARTISAN ARTIST ASTRONAUT ASTRONOMER ATHLETE
        ATTENDANT ATTORNEY AUDITOR AUTHOR BANKER BARTENDER BEEKEEPER BLACKSMITH BLOGGER
        BOATMAN BOSS BREWER BROKER BUILDER BUSINESSMAN BUSINESSWOMAN CAMPAIGNER CAPTAIN
        CAREGIVER CARETAKER CASHIER CEO CFO CHAIR CHAIRMAN CHAIRPERSON CHAIRWOMAN
        CHANCELLOR CHEF CHEMIST CHIEF CIO CITIZEN CLERIC CLERK COACH COLONEL COLUMNIST
        COMMANDER COMMENTATOR COMMISSIONER COMMUTER CONGRESSMAN CONGRESSWOMAN
        CONSERVATIONIST CONSTABLE CONSULTANT CONTRACTOR CONTROLLER COO COORDINATOR
        CORPORAL CORRESPONDENT COSMONAUT COUNCILLOR COUNCILMAN COUNCILOR COUNCILWOMAN
        COUNSEL COUNSELLOR COUNSELOR CRAFTSMAN CRAFTSWOMAN CTO CURATOR CUSTOMER DEAN
        DELEGATE DENTIST DEPUTY DESIGNER DETECTIVE DEVELOPER DIPLOMAT DIRECTOR
        DISPATCHER DIVER DOCKWORKER DOCTOR DRIVER ECONOMIST EDITOR EDUCATOR ELECTRICIAN
        EMPLOYEE ENGINEER ENTREPRENEUR ENVIRONMENTALIST ENVOY EXECUTIVE EXPERT FARMER
        FATHER FELLOW FIGHTER FIREFIGHTER FISHERMAN FISHERWOMAN FOUNDER GARDENER GENERAL
        GOVERNOR GRADUATE GRANDFATHER GRANDMOTHER GUARD GUIDE HARBORMASTER HARBOURMASTER
        HEAD HEADMASTER HEADTEACHER HERDER HISTORIAN HOMEMAKER HOMEOWNER HOST HOUSEWIFE
        IMAM INFLUENCER INSPECTOR INSTRUCTOR INTERN INTERPRETER INVENTOR INVESTOR
        JOURNALIST JUDGE LABORER LABOURER LANDLORD LANDOWNER LAWMAKER LAWYER LEADER
        LECTURER LEGISLATOR LIBRARIAN LIEUTENANT LOGISTICIAN LONGSHOREMAN MANAGER
        MARSHAL MASTER MAYOR MECHANIC MEMBER MERCHANT MIDWIFE MIGRANT MINER MINISTER
        MONK MOTHER NARRATOR NEGOTIATOR NUN NURSE OFFICER OFFICIAL OPERATOR ORGANISER
        ORGANIZER OWNER PARAMEDIC PARENT PARTNER PASSENGER PASTOR PATIENT PENSIONER
        PHARMACIST PHOTOGRAPHER PHYSICIAN PHYSICIST PILOT PLANNER PLAYER PLUMBER
        POLICEMAN POLICEWOMAN POLITICIAN PREMIER PRESENTER PRESIDENT PRIEST PRINCIPAL
        PRODUCER PROFESSOR PROGRAMMER PROPRIETOR PROSECUTOR PROTESTER PROTESTOR PROVOST
        PSYCHIATRIST PUBLISHER RABBI RANCHER RANGER RECTOR REFEREE REFUGEE REGISTRAR
        REPORTER REPRESENTATIVE RESCUER RESEARCHER RESIDENT RETIREE SAILOR SALESMAN
        SALESWOMAN SCHOLAR SCIENTIST SECRETARY SENATOR SERGEANT SHERIFF SHOPKEEPER
        SHOPPER SKIPPER SOLDIER SPEAKER SPECIALIST SPOKESMAN SPOKESPERSON SPOKESWOMAN
        STAFFER STATISTICIAN STUDENT SUPERINTENDENT SUPERVISOR SURGEON SURVIVOR TAILOR
        TEACHER TECHNICIAN TENANT THERAPIST TOURIST TRADER TRAINEE TRAINER TRANSLATOR
        TREASURER TRUSTEE TUTOR VENDOR VETERAN VETERINARIAN VICAR VILLAGER VISITOR
        VOLUNTEER WAITER WAITRESS WARDEN WEAVER WELDER WINEMAKER WITNESS WORKER WRITER
        """
    )
)

# Words that open or qualify a job title ("DEPUTY MINISTER", "SITE MANAGER", "HEAD OF
# RESEARCH") and are rarely part of a person's name.
TITLE_MODIFIERS = frozenset(
    words_of(
        """
        ACTING ADJUNCT AFFAIRS ASSISTANT ASSOCIATE BOARD CAMPAIGN CHIEF CITY CLINICAL
        COMMUNICATIONS COMMUNITY COUNCIL COUNTY DEFENCE DEFENSE DEPARTMENT DEPUTY
        DISTRICT ECONOMICS ECONOMY EDUCATION EMERGENCY ENVIRONMENT EXECUTIVE FACTORY
        FARM FIELD FINANCE FOREIGN FORMER FOUNDING GENERAL HARBOR HARBOUR HEAD HEALTH
        HONORARY HOSPITAL HOTEL INTERIM INTERIOR JUSTICE LABOR LABOUR LEAD LEGAL LOCAL
        MANAGING MARKETING MEDIA MEDICAL MILITARY NATIONAL OPERATIONS PARLIAMENTARY
        PARTY PLANT POLICE POLITICAL PORT PRESS PRIME PRINCIPAL PRODUCT PROGRAM
        PROGRAMME PROJECT PUBLIC REGIONAL RESEARCH SALES SCHOOL SCIENCE SCIENTIFIC
        SECURITY SENIOR SHOP SITE SOCIAL SPECIAL STAFF STATE STORE TEAM TECHNICAL
        TECHNOLOGY TRADE TRANSPORT UNIDENTIFIED UNION VICE
        """
    )
)

# A hyphenated prefix keeps a job word a job word: CO-FOUNDER, EX-MINISTER, VICE-CHAIR.
_JOB_PREFIXES = frozenset({"CO", "EX", "VICE", "DEPUTY", "ASSISTANT", "ACTING", "SUB"})
_JOB_SUFFIXES = ("OLOGIST", "OGRAPHER", "SPERSON", "SWOMAN", "WOMAN", "ICIAN")

CONNECTORS = frozenset({"OF", "FOR", "AND", "&", "AT", "ON", "TO", "THE", "IN"})
_SMALL_WORDS = frozenset(
    {"a", "an", "and", "at", "by", "de", "del", "der", "des", "du", "for", "in", "la", "le"}
    | {"of", "on", "or", "the", "to", "van", "von", "with"}
)
# Kept in capitals in natural case; anything else without a vowel is kept too (WNX, CNN).
_ACRONYMS = frozenset(
    words_of(
        """
        AI CEO CFO CGTN CIO COO CTO EU FIFA IMF NASA NATO NGO OPEC SCO UAE UK UN UNESCO UNICEF
        US USA WHO WTO
    """
    )
)
_APOSTROPHES = "'’"


def _bare(word: str) -> str:
    return word.strip(",.;:()\"“”'’").upper()


def is_job_word(word: str) -> bool:
    """Whether a caption word names a job (NURSE, CO-FOUNDER, HYDROLOGIST)."""
    word = _bare(word)
    if word in JOB_WORDS:
        return True
    parts = word.split("-")
    if len(parts) > 1 and (parts[0] in JOB_WORDS or parts[-1] in JOB_WORDS):
        # CO-FOUNDER, EX-MINISTER, SECRETARY-GENERAL; never ROSE-ANNE.
        known = JOB_WORDS | TITLE_MODIFIERS | _JOB_PREFIXES
        return all(part in known for part in parts)
    return len(word) >= 7 and word.isalpha() and word.endswith(_JOB_SUFFIXES)


def is_title_word(word: str) -> bool:
    """A job word, or a word that opens or qualifies a job title."""
    return is_job_word(word) or _bare(word) in TITLE_MODIFIERS


# Cues that name nobody: UNIDENTIFIED MALE, CROWD.
_ANONYMOUS = frozenset({"UNIDENTIFIED", "UNKNOWN", "ANONYMOUS", "CROWD", "CROWDS", "VOICES"})


def title_start(words: list[str]) -> int | None:
    """Index where a job title begins in `words`, or None when they hold no job word.

    The title begins at the first job word, or earlier when qualifiers run up to it
    (SITE MANAGER, DEPUTY MINISTER). A cue that names nobody (UNIDENTIFIED MALE) is all
    title.
    """
    if words and _bare(words[0]) in _ANONYMOUS:
        return 0
    for index, word in enumerate(words):
        if is_job_word(word):
            while index > 0 and _bare(words[index - 1]) in TITLE_MODIFIERS:
                index -= 1
            return index
    return None


def name_case(text: str) -> str:
    """Capitals after a space, hyphen or apostrophe: ROSE-ANNE O'FAHERTY -> Rose-Anne O'Faherty.

    An apostrophe followed by a single letter is a contraction or a possessive (FISHERS',
    CHILDREN'S), so that letter stays small.
    """
    out = []
    capital_next = True
    for index, char in enumerate(text):
        if char.isalpha():
            if capital_next and not _is_contraction(text, index):
                upper = char.upper()
                out.append(upper if len(upper) == 1 else char)
            else:
                lower = char.lower()
                out.append(lower if len(lower) == 1 else char)
            capital_next = False
        else:
            out.append(char)
            capital_next = char.isspace() or char in "-‐" + _APOSTROPHES
    return "".join(out)


def _is_contraction(text: str, index: int) -> bool:
    if index == 0 or text[index - 1] not in _APOSTROPHES:
        return False
    following = index + 1
    return following >= len(text) or not text[following].isalpha()


def caption_case(text: str) -> str:
    """Natural case for a role or an organisation: small words stay small inside."""
    words = text.split()
    out = []
    for position, word in enumerate(words):
        bare = word.strip(",.;:()")
        if _is_acronym(bare):
            out.append(word)
        elif position and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(name_case(word))
    return " ".join(out)


def _is_acronym(word: str) -> bool:
    if word in _ACRONYMS or any(char.isdigit() for char in word):
        return True
    letters = [char for char in word if char.isalpha()]
    return (
        len(letters) >= 2
        and all(char.isascii() and char.isupper() for char in letters)
        and not any(char in "AEIOUY" for char in letters)
    )


def split_title(speaker_title: str) -> tuple[str, str | None]:
    """Split a caption into (role, organization), both in natural case.

    - A comma separates role from organization:
      "CO-FOUNDER, AMBERTIDE ENERGY" -> ("Co-Founder", "Ambertide Energy").
    - Otherwise the role is the run of job words and qualifiers the caption opens with,
      up to its last job word, with an "OF ..." complement made of title words
      ("HEAD OF RESEARCH"); the rest is the organization:
      "SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION" -> ("Senior Vice President", "Skolkovo
      Foundation"); "PRESIDENT OF THE WORLD CHESS FEDERATION" -> ("President", "World Chess
      Federation").
    - A caption that ends with its job title is an organization only when what precedes
      the title is an acronym: "WNX ANCHOR" -> ("Anchor", "WNX"). Otherwise the whole
      caption is the role: "EMERGENCY ROOM NURSE" -> ("Emergency Room Nurse", None).
    - A caption with no job word at all is all role: "VELMORA" -> ("Velmora", None).
    """
    caption = " ".join(speaker_title.split())
    for comma in (",", "，", "、"):
        if comma in caption:
            role, _, organization = caption.partition(comma)
            role, organization = role.strip(), organization.strip(" ,")
            if role and organization:
                return caption_case(role), caption_case(organization)
    words = caption.split()
    if not words:
        return "", None
    role_end = _leading_role_end(words)
    if role_end:
        rest = words[role_end:]
        while rest and rest[0].upper() in CONNECTORS:
            rest = rest[1:]
        organization = " ".join(rest)
        return caption_case(" ".join(words[:role_end])), caption_case(organization) or None
    if is_job_word(words[-1]):
        start = len(words) - 1
        while start > 0 and is_title_word(words[start - 1]):
            start -= 1
        prefix = words[:start]
        if len(prefix) == 1 and _is_acronym(prefix[0]):
            return caption_case(" ".join(words[start:])), prefix[0]
    return caption_case(caption), None


def _leading_role_end(words: list[str]) -> int:
    """Length of the job title a caption opens with; 0 when it opens with none."""
    last_job = 0
    index = 0
    while index < len(words):
        word = words[index]
        if is_job_word(word):
            last_job = index + 1
        elif _bare(word) in TITLE_MODIFIERS:
            pass
        elif _bare(word) in {"OF", "FOR"} and last_job:
            complement = index + 1
            while complement < len(words) and is_title_word(words[complement]):
                complement += 1
            if complement > index + 1 and last_job == index:
                return complement
            break
        else:
            break
        index += 1
    return last_job
