//! One section of the form: a fieldset with a legend (who the customer is, contact, addresses…)
//! around its fields. Which field goes where is the provider contract's word (`FieldSpec::section`).

use providers::Section;
use yew::prelude::*;

pub struct SectionProps {
    pub section: Section,
    pub id_prefix: AttrValue,
    pub legend: String,
    pub hint: Option<String>,
    pub fields: Html,
}

pub fn section(props: SectionProps) -> Html {
    let name = props.section.as_str();
    let hint_id = format!("{}-section-{name}-hint", props.id_prefix);
    let class = if props.section == Section::DangerZone {
        "cf-section cf-danger"
    } else {
        "cf-section"
    };
    // `~className`, not `class={class}`: a class chosen at run time through `class` goes through
    // Yew's `Classes` (an index set), 2.4 kB gzip of code the widget needs nowhere else (README,
    // Size). The property sets the same `class` attribute.
    html! {
        <fieldset ~className={class} part={format!("section section-{name}")} data-section={name}
            aria-describedby={props.hint.as_ref().map(|_| hint_id.clone())}>
            <legend part="legend">{props.legend}</legend>
            if let Some(hint) = props.hint {
                <p id={hint_id} class="cf-hint" part="section-hint">{hint}</p>
            }
            {props.fields}
        </fieldset>
    }
}
