from django import template

from accounts.menu import menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def role_menu(context):
    request = context.get("request")
    return menu_for(request.user) if request is not None else []
