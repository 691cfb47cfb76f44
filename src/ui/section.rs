//! One section of the form: a fieldset with a legend (who the customer is, contact, addresses…)
//! around its fields. Which field goes where is the provider contract's word (`FieldSpec::section`).

use dom::el;
use providers::Section;

use super::shell::Html;

pub struct SectionProps {
    pub section: Section,
    pub id_prefix: yew::AttrValue,
    pub legend: String,
    pub hint: Option<String>,
    pub fields: Vec<Html>,
}

pub fn section(props: SectionProps) -> Html {
    let name = props.section.as_str();
    let hint_id = providers::substring::concat(&[&props.id_prefix, "-section-", name, "-hint"]);
    let class = if props.section == Section::DangerZone {
        "cf-section cf-danger"
    } else {
        "cf-section"
    };
    el("fieldset")
        .key(name)
        .attr("class", class)
        .attr(
            "part",
            providers::substring::concat(&["section section-", name]),
        )
        .attr("data-section", name)
        .attr_opt(
            "aria-describedby",
            props.hint.as_ref().map(|_| hint_id.clone()),
        )
        .child(el("legend").attr("part", "legend").text(props.legend))
        .child_opt(props.hint.map(|hint| {
            el("p")
                .attr("id", hint_id)
                .attr("class", "cf-hint")
                .attr("part", "section-hint")
                .text(hint)
        }))
        .children(props.fields)
        .into()
}
