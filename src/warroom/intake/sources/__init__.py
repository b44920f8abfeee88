"""Alert sources: each sender's wire format and its mapping to the one
internal shape, :class:`warroom.intake.sources.alert.IncomingAlert`."""
