from django.http import FileResponse

from ventanilla.tickets.access import get_attachment_for_user_or_404


def attachment_response(user, pk):
    """Stream an attachment the user may see, as a download (never rendered inline)."""
    attachment = get_attachment_for_user_or_404(user, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
