//! The two languages of the interface. Every word on a page comes from [`Words`], defined
//! once for English and once for Persian by the same macro, so a label can never exist in
//! one language only.

use axum::http::HeaderMap;

/// The language (and with it the direction) of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// English, left to right.
    En,
    /// Persian, right to left.
    Fa,
}

/// The cookie that remembers the chosen language.
pub(crate) const LANG_COOKIE: &str = "whereabouts_lang";

impl Lang {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fa => "fa",
        }
    }

    pub(crate) fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Fa => "rtl",
        }
    }

    pub(crate) fn parse(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "fa" => Some(Lang::Fa),
            _ => None,
        }
    }

    /// The other language, for the switch.
    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Fa,
            Lang::Fa => Lang::En,
        }
    }

    pub(crate) fn words(self) -> &'static Words {
        match self {
            Lang::En => &EN,
            Lang::Fa => &FA,
        }
    }

    /// The language the cookie asks for, else the browser's preference, else English.
    pub(crate) fn of_request(headers: &HeaderMap) -> Lang {
        if let Some(lang) = crate::auth::cookie(headers, LANG_COOKIE).and_then(|c| Lang::parse(&c))
        {
            return lang;
        }
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if accept.trim_start().starts_with("fa") {
            Lang::Fa
        } else {
            Lang::En
        }
    }

    /// Digits as this language writes them.
    pub(crate) fn number(self, n: impl std::fmt::Display) -> String {
        let text = n.to_string();
        match self {
            Lang::En => text,
            Lang::Fa => text::dates::to_persian_digits(&text),
        }
    }

    pub(crate) fn date_language(self) -> text::dates::Language {
        match self {
            Lang::En => text::dates::Language::English,
            Lang::Fa => text::dates::Language::Persian,
        }
    }
}

macro_rules! words {
    ($($key:ident: $en:literal, $fa:literal;)*) => {
        /// Every label of the interface.
        pub(crate) struct Words {
            $(pub(crate) $key: &'static str,)*
        }

        static EN: Words = Words { $($key: $en,)* };
        static FA: Words = Words { $($key: $fa,)* };
    };
}

words! {
    app_name: "whereabouts", "سرنوشت و مکان";
    switch_language: "فارسی", "English";
    dashboard: "Dashboard", "پیشخوان";
    persons: "Persons", "افراد";
    sources: "Sources", "منابع";
    import: "Import", "ورود فهرست";
    review: "Review", "بازبینی";
    statistics: "Statistics", "آمار";
    audit: "Audit log", "دفتر ممیزی";
    log_in: "Log in", "ورود";
    log_out: "Log out", "خروج";
    login_name: "Login", "نام کاربری";
    password: "Password", "گذرواژه";
    new_password: "New password (at least 12 characters)", "گذرواژهٔ تازه (دست‌کم ۱۲ نویسه)";
    change_password: "Change password", "تغییر گذرواژه";
    must_change_password: "Choose a new password before going on.", "پیش از ادامه گذرواژهٔ تازه‌ای برگزینید.";
    password_changed: "Password changed.", "گذرواژه تغییر کرد.";
    bad_login: "Wrong login or password.", "نام کاربری یا گذرواژه نادرست است.";
    throttled: "Too many failed logins for this account: wait 15 minutes and try again.", "ورودهای ناموفق برای این حساب بسیار شده است: ۱۵ دقیقه صبر کنید و دوباره بکوشید.";
    signed_in_as: "Signed in as", "واردشده با نام";
    records: "Records", "سوابق";
    review_backlog: "Pairs awaiting review", "جفت‌های در انتظار بازبینی";
    recent_activity: "Recent activity", "فعالیت‌های اخیر";
    search: "Search", "جستجو";
    search_hint: "A name in either script, any spelling", "نامی به هر خط و هر املا";
    prison: "Prison", "زندان";
    city: "City", "شهر";
    year: "Year of death", "سال مرگ";
    any: "Any", "همه";
    name: "Name", "نام";
    names: "Names", "نام‌ها";
    source: "Source", "منبع";
    no_results: "Nothing found.", "چیزی یافت نشد.";
    next_page: "Next page", "صفحهٔ بعد";
    previous_page: "Previous page", "صفحهٔ قبل";
    person: "Person", "فرد";
    claims: "What each source says", "آنچه هر منبع می‌گوید";
    conflict: "Sources disagree", "منابع هم‌خوان نیستند";
    timeline: "Timeline", "گاه‌شمار";
    source_records: "Source records", "سوابق منبع";
    why_linked: "Why these records were linked", "چرا این سوابق به هم پیوند خوردند";
    method: "Method", "روش";
    score: "Score", "امتیاز";
    decided_by: "Decided by", "تصمیم‌گیرنده";
    decisions: "Reviewers' decisions", "تصمیم‌های بازبینان";
    field: "Field", "فیلد";
    value: "Value", "مقدار";
    row: "Row", "ردیف";
    as_written: "As written", "همان‌گونه که نوشته شده";
    kind: "Kind", "گونه";
    reliability: "Reliability", "اعتبار";
    upload_list: "Upload a list (CSV or XLSX)", "بارگذاری فهرست (CSV یا XLSX)";
    file: "File", "پرونده";
    source_name: "Source name", "نام منبع";
    preview: "Check and preview", "بررسی و پیش‌نمایش";
    mapping: "Column mapping", "نگاشت ستون‌ها";
    column: "Column", "ستون";
    canonical_field: "Field", "فیلد";
    unmapped: "kept verbatim", "بی‌تغییر نگه داشته می‌شود";
    problems: "Problems found: nothing has been written", "مشکلات یافت‌شده: چیزی نوشته نشده است";
    ready_to_import: "No problems found. Nothing is written until you confirm.", "مشکلی یافت نشد. تا تأیید نکنید چیزی نوشته نمی‌شود.";
    confirm_import: "Confirm the import", "تأیید ورود";
    imported: "Imported", "وارد شد";
    rows_repeated: "rows repeat an earlier row exactly: kept, each with a warning", "ردیف تکرار عین ردیفی پیشین است: نگه داشته شد، هر یک با هشدار";
    rows_with_date_warnings: "records have dates that cannot all be true (a date after today, or an arrest or execution before a birth or an arrest): kept as written, each with a warning", "سابقه تاریخ‌هایی دارد که همه با هم درست نیستند (تاریخی پس از امروز، یا بازداشت یا اعدامی پیش از تولد یا بازداشت): همان‌گونه که نوشته شده نگه داشته شد، هر یک با هشدار";
    rows_blank: "rows had nothing in them and are skipped: the record after each run of them carries a warning saying where", "ردیف خالی بود و کنار گذاشته می‌شود: سابقهٔ پس از هر دسته هشداری دارد که جای آن را می‌گوید";
    link_now: "Link records now", "پیوند سوابق اکنون";
    linked: "Linkage finished", "پیوند پایان یافت";
    probability: "Match probability", "احتمال یکی بودن";
    contribution: "Contribution to the weight", "سهم در وزن";
    same: "Same person", "یک نفر";
    different: "Different persons", "دو نفر";
    unsure: "Unsure", "نامطمئن";
    keyboard_hint: "Keys: s = same, d = different, u = unsure", "کلیدها: s = یک نفر، d = دو نفر، u = نامطمئن";
    queue_empty: "No pairs await review.", "جفتی در انتظار بازبینی نیست.";
    open: "Open", "گشودن";
    by_month: "Persons by month of death", "افراد بر پایهٔ ماه مرگ";
    by_prison: "Persons by prison", "افراد بر پایهٔ زندان";
    by_city: "Persons by city", "افراد بر پایهٔ شهر";
    estimate: "Estimated total (Multiple Systems Estimation)", "برآورد شمار کل (برآورد چندمنبعی)";
    observed: "Documented", "ثبت‌شده";
    interval: "95% interval", "بازهٔ ۹۵٪";
    spread: "Spread across methods", "پراکندگی میان روش‌ها";
    no_estimate: "No estimate yet", "هنوز برآوردی نیست";
    verify: "Verify the chain", "وارسی زنجیره";
    chain_ok: "The audit chain is intact", "زنجیرهٔ ممیزی سالم است";
    chain_broken: "The audit chain is broken", "زنجیرهٔ ممیزی شکسته است";
    entries: "entries", "مدخل";
    at: "When", "زمان";
    actor: "Who", "چه کسی";
    action: "Action", "کنش";
    entity: "What", "چه چیزی";
    not_found: "Not found", "یافت نشد";
    forbidden: "Your account may not see this page.", "حساب شما اجازهٔ دیدن این صفحه را ندارد.";
    family_portal_later: "The family portal is not open yet.", "درگاه خانواده‌ها هنوز باز نشده است.";
    gregorian: "Gregorian", "میلادی";
    solar_hijri: "Solar Hijri", "خورشیدی";
    persons_found: "persons", "فرد";
}

/// A canonical field's label in a language.
pub(crate) fn field_label(field: domain::fields::CanonicalField, lang: Lang) -> &'static str {
    use domain::fields::CanonicalField as F;
    let (en, fa) = match field {
        F::RecordId => ("Record id", "شناسهٔ سابقه"),
        F::GivenName => ("Given name", "نام"),
        F::Surname => ("Surname", "نام خانوادگی"),
        F::FatherName => ("Father's name", "نام پدر"),
        F::FullName => ("Full name", "نام کامل"),
        F::Sex => ("Sex", "جنس"),
        F::BirthDate => ("Date of birth", "تاریخ تولد"),
        F::BirthYear => ("Year of birth", "سال تولد"),
        F::Age => ("Age", "سن"),
        F::BirthPlace => ("Place of birth", "محل تولد"),
        F::NationalId => ("National id", "کد ملی"),
        F::Address => ("Address", "نشانی"),
        F::PostalCode => ("Postal code", "کد پستی"),
        F::City => ("City", "شهر"),
        F::Province => ("Province", "استان"),
        F::Affiliation => ("Affiliation", "وابستگی"),
        F::ArrestDate => ("Date of arrest", "تاریخ بازداشت"),
        F::Prison => ("Prison", "زندان"),
        F::ExecutionDate => ("Date of execution", "تاریخ اعدام"),
        F::DeathDate => ("Date of death", "تاریخ مرگ"),
        F::BurialPlace => ("Burial place", "محل دفن"),
        F::Notes => ("Notes", "یادداشت"),
    };
    match lang {
        Lang::En => en,
        Lang::Fa => fa,
    }
}

/// A recorded sex in a language.
pub(crate) fn sex_label(sex: domain::sex::Sex, lang: Lang) -> &'static str {
    use domain::sex::Sex;
    match (sex, lang) {
        (Sex::Male, Lang::En) => "male",
        (Sex::Male, Lang::Fa) => "مرد",
        (Sex::Female, Lang::En) => "female",
        (Sex::Female, Lang::Fa) => "زن",
    }
}
