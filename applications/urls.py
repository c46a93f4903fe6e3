from django.urls import path

from .views import editor, groups, pages

urlpatterns = [
    # Groups
    path("groups/", groups.group_list, name="group-list"),
    path("groups/new/", groups.group_create, name="group-create"),
    path("groups/<int:pk>/", groups.group_detail, name="group-detail"),
    path("groups/<int:pk>/edit/", groups.group_edit, name="group-edit"),
    path("groups/<int:pk>/delete/", groups.group_delete, name="group-delete"),
    path("groups/<int:pk>/invite/", groups.group_invite, name="group-invite"),
    path(
        "groups/<int:pk>/members/<int:membership_pk>/remove/",
        groups.group_member_remove,
        name="group-member-remove",
    ),
    path(
        "groups/<int:pk>/informal-members/",
        groups.informal_member_add,
        name="informal-member-add",
    ),
    path(
        "groups/<int:pk>/informal-members/<int:member_pk>/remove/",
        groups.informal_member_remove,
        name="informal-member-remove",
    ),
    path("invitations/<uuid:token>/", groups.invitation_accept, name="invitation-accept"),
    # Applications
    path("applications/", pages.application_list, name="application-list"),
    path(
        "applications/new/<int:competition_pk>/",
        pages.application_start,
        name="application-start",
    ),
    path("applications/<int:pk>/", pages.application_view, name="application-detail"),
    path("applications/<int:pk>/edit/", editor.application_edit, name="application-edit"),
    path(
        "applications/<int:pk>/sections/<slug:section>/",
        editor.section_save,
        name="application-section-save",
    ),
    path("applications/<int:pk>/rows/<slug:kind>/", editor.part_add, name="application-part-add"),
    path(
        "applications/<int:pk>/rows/<slug:kind>/<int:part_pk>/",
        editor.part_edit,
        name="application-part-edit",
    ),
    path(
        "applications/<int:pk>/rows/<slug:kind>/<int:part_pk>/delete/",
        editor.part_delete,
        name="application-part-delete",
    ),
    path(
        "applications/<int:pk>/attachments/",
        editor.attachment_add,
        name="application-attachment-add",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/",
        editor.attachment_download,
        name="application-attachment-download",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment_pk>/delete/",
        editor.attachment_delete,
        name="application-attachment-delete",
    ),
    path("applications/<int:pk>/check/", pages.application_check, name="application-check"),
    path("applications/<int:pk>/submit/", pages.application_submit, name="application-submit"),
    path(
        "applications/<int:pk>/submitted/",
        pages.application_submitted,
        name="application-submitted",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        pages.application_withdraw,
        name="application-withdraw",
    ),
]
