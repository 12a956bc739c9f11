"""Words for synthetic organisations (`gofirst demo-data`): names, zones, departments, and what
leaders and teammates write, with the barriers people really name."""
from __future__ import annotations

FIRST = ("Alex", "Sam", "Priya", "Jordan", "Mei", "Tomás", "Aisha", "Lukas", "Noor", "Kenji", "Fatima", "Oliver",
         "Sofia", "Mateo", "Amara", "Liam", "Chloé", "Ravi", "Ingrid", "Kwame", "Yara", "Diego", "Hana", "Ethan",
         "Zanele", "Marta", "Omar", "Elif", "Jonas", "Ana", "Wei", "Leila", "Pablo", "Sinead", "Tariq", "Freya",
         "Joon", "Nadia", "Emeka", "Greta")
LAST = ("Rivera", "Okafor", "Nair", "Lee", "Chen", "García", "Khan", "Müller", "Haddad", "Sato", "Zahra", "Brown",
        "Rossi", "Fernández", "Mensah", "Murphy", "Dubois", "Iyer", "Larsen", "Boateng", "Santos", "Kowalski",
        "Tanaka", "Walker", "Dlamini", "Novak", "Farouk", "Yilmaz", "Berg", "Silva", "Wang", "Hosseini", "Ortega",
        "O'Brien", "Aziz", "Lindqvist", "Park", "Petrova", "Eze", "Schmidt")
ZONES = ("Europe/London", "Europe/Berlin", "Europe/Madrid", "America/New_York", "America/Chicago",
         "America/Sao_Paulo", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "Africa/Lagos")
DEPARTMENTS = ("Engineering", "Sales", "Marketing", "Operations", "Finance", "People", "Support", "Legal",
               "Product", "Research", "Design", "Logistics")
TEAM_WORDS = ("Platform", "Growth", "Payments", "Onboarding", "Field", "Partners", "Data", "Care", "Billing",
              "Mobile", "Web", "Quality", "Supply", "Brand", "Insights", "Security")
TRIES = ("I'm trying to share my work in progress in the channel", "I'd like to post our decisions where everyone sees them",
         "I'm going to ask for help in the open instead of in DMs", "I want to show my drafts before they are polished")
WHYS = ("so we stop duplicating work", "so decisions move faster", "so new people can find answers",
        "so we learn from each other's mistakes")
ASKS = ("What gets in your way?", "What would make this easier for you?", "What stops you from doing the same?")
LEADER_BARRIERS = ("Honestly, time: my calendar is back-to-back meetings", "I'm afraid of looking unprepared",
                   "IT blocks the wiki when I'm on VPN", "Our policy says drafts stay private",
                   "I don't know how to use the channel features", "The way we're measured rewards private work")
REPLIES = {
    "time": ("No time, too many meetings", "I never have the time between customer calls",
             "Too busy this week, honestly", "My calendar is full every day"),
    "fear": ("I'm scared of getting it wrong in public", "Worried my manager will see half-done work",
             "I'm afraid of getting into trouble for posting"),
    "it_access": ("IT blocks the app on our laptops", "The wiki doesn't load on VPN", "I can't get access to the tool"),
    "policy": ("The policy forbids sharing client details", "Compliance says we can't post that"),
    "know_how": ("I don't know how to start a thread", "Nobody showed me how the channel works"),
    "control": ("I need approval before anything goes out", "My lead wants to check everything first"),
    "system": ("We're measured on tickets closed, not on sharing", "Nobody gets rewarded for helping others"),
    "other": ("Great idea, count me in", "Thanks for going first!", "Happy to try this"),
}
ANSWERS = ("Thanks, that's really useful — let's block 30 minutes on Friday for it",
           "Good point, I'll raise the VPN issue with IT", "Thank you for being honest, let's try it together",
           "I hear you; I'll ask HR how we can change that measure")
