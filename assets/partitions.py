"""Jurisdiction partitions: every state, DC and the federal level, so a user adds a state by config alone."""

import dagster as dg

STATES = (
    "AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE NH NJ NM NV NY "
    "OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY US"
).split()

jurisdictions = dg.StaticPartitionsDefinition(STATES)
