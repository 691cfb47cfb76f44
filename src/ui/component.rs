//! `CustomerForm`, the Yew component Rust apps render: a `<div>` the form app (`FormApp`, on
//! `dom`) is mounted in once Yew has drawn it, new props passed on as a message. The element
//! build mounts the form app directly, so Yew's renderer is not in the npm package.

use std::rc::Rc;

use yew::prelude::*;

use super::customer_form::{CustomerFormProps, FormApp, Message};

pub struct CustomerForm {
    host: NodeRef,
    form: Option<dom::Mounted<FormApp>>,
}

impl Component for CustomerForm {
    type Message = ();
    type Properties = CustomerFormProps;

    fn create(_: &Context<Self>) -> Self {
        CustomerForm {
            host: NodeRef::default(),
            form: None,
        }
    }

    fn update(&mut self, _: &Context<Self>, _: ()) -> bool {
        false
    }

    fn changed(&mut self, ctx: &Context<Self>, _: &CustomerFormProps) -> bool {
        if let Some(form) = &self.form {
            form.scope()
                .send(Message::Props(Rc::new(ctx.props().clone())));
        }
        false
    }

    fn view(&self, _: &Context<Self>) -> Html {
        html! { <div ref={self.host.clone()} class="cf-host"></div> }
    }

    fn rendered(&mut self, ctx: &Context<Self>, first_render: bool) {
        if !first_render {
            return;
        }
        let props = Rc::new(ctx.props().clone());
        if let Some(host) = self.host.cast::<web_sys::Element>() {
            self.form = dom::mount(&host, |scope| FormApp::create(scope, props)).ok();
        }
    }

    fn destroy(&mut self, _: &Context<Self>) {
        if let Some(form) = self.form.take() {
            form.unmount();
        }
    }
}
