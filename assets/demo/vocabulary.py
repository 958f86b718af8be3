"""Words the demo business is made of. Every entry is ASCII without quotes, backslashes or tabs, so it can
go into COPY text and JSON strings as it is (the vectorised renderers rely on that)."""

from __future__ import annotations

FIRST_NAMES = (
    "Ava", "Liam", "Maya", "Noah", "Emma", "Lucas", "Olivia", "Ethan", "Sofia", "Mason", "Isla", "Leo",
    "Chloe", "Aiden", "Zoe", "Caleb", "Nora", "Elijah", "Layla", "Owen", "Grace", "Henry", "Aria", "Julian",
    "Ruby", "Felix", "Hannah", "Theo", "Lena", "Samuel", "Priya", "Arjun", "Mei", "Kenji", "Amara", "Tariq",
    "Ingrid", "Lars", "Camila", "Mateo", "Fatima", "Omar", "Elena", "Marco", "Yuki", "Hiro", "Nina", "Jonas",
    "Clara", "Tobias", "Leila", "Rafael", "Anika", "Soren", "Beatriz", "Diego", "Freya", "Malik", "Ines",
    "Adrian", "Sienna", "Gabriel", "Talia", "Victor", "Eva", "Daniel", "Rosa", "Pablo", "Mira", "Anton",
)  # fmt: skip
LAST_NAMES = (
    "Morgan", "Chen", "Patel", "Garcia", "Kim", "Nguyen", "Schmidt", "Rossi", "Silva", "Okafor", "Larsen",
    "Novak", "Dubois", "Tanaka", "Cohen", "Murphy", "Fischer", "Santos", "Haddad", "Ivanova", "Berg",
    "Costa", "Moreau", "Sato", "Walsh", "Becker", "Romero", "Lindqvist", "Mensah", "Kowalski", "Reyes",
    "Brennan", "Hoffmann", "Ortiz", "Yilmaz", "Andersen", "Park", "Ali", "Fernandes", "Keller", "Bianchi",
    "Hughes", "Vargas", "Jensen", "Lopez", "Wagner", "Suzuki", "Mahler", "Quinn", "Ward", "Foster", "Blake",
    "Carter", "Ellis", "Hayes", "Porter", "Reed", "Shaw", "Turner", "Wells",
)  # fmt: skip
COMPANY_HEADS = (
    "North", "Blue", "Bright", "Silver", "Cedar", "Iron", "Golden", "Clear", "Red", "Green", "Stone",
    "Swift", "True", "Summit", "Harbor", "Maple", "Oak", "River", "Sun", "Star", "Pine", "Cloud", "Coral",
    "Amber", "Lake", "Frost", "Bay", "Peak", "Sky", "Fox", "Wild", "Willow", "Aspen", "Copper", "Lumen",
    "Nova", "Echo", "Atlas", "Orbit", "Vector",
)  # fmt: skip
COMPANY_TAILS = (
    "wind", "leaf", "field", "ridge", "forge", "works", "light", "path", "wave", "point", "gate", "stone",
    "brook", "line", "craft", "mark", "spring", "haven", "view", "bridge", "crest", "dale", "shore",
    "yard", "loop", "beam", "grove", "port", "vale", "well", "nest", "rock", "side", "hill", "mint",
    "stack", "sail", "root", "tide", "hive",
)  # fmt: skip
BUSINESS_KINDS = (
    ("Coffee", "Food and Beverage"), ("Analytics", "Software"), ("Outdoor", "Retail"), ("Health", "Healthcare"),
    ("Logistics", "Logistics"), ("Studio", "Media"), ("Fitness", "Consumer Services"), ("Labs", "Biotech"),
    ("Finance", "Financial Services"), ("Learning", "Education"), ("Home", "Real Estate"), ("Travel", "Travel"),
    ("Energy", "Energy"), ("Robotics", "Manufacturing"), ("Security", "Software"), ("Apparel", "Retail"),
)  # fmt: skip
PRODUCTS = (
    "Starter Plan", "Pro Suite", "Insights Dashboard", "Mobile App", "Subscription Box", "Premium Service",
    "Cloud Platform", "Workshop Series", "Loyalty Program", "Smart Scheduler", "API Platform", "Flagship Kit",
)  # fmt: skip
LEAD_COMPANY_WORDS = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Wonka", "Soylent",
    "Cyberdyne", "Tyrell", "Gringotts", "Monarch", "Oscorp", "Pied Piper", "Prestige", "Sterling",
    "Aperture", "Black Mesa", "Dunder", "Massive", "Nakatomi", "Oceanic", "Paper Street", "Rekall",
    "Strickland", "Virtucon", "Zorg", "Bluth",
)  # fmt: skip
LEAD_COMPANY_SUFFIXES = ("Inc", "Group", "Labs", "Systems", "Partners", "Co", "Holdings", "Digital")
JOB_TITLES = (
    "Marketing Manager", "Head of Growth", "CMO", "Demand Generation Lead", "Marketing Operations Manager",
    "Content Strategist", "Founder", "CEO", "Sales Director", "Brand Manager", "Digital Marketing Specialist",
    "VP Marketing", "Product Marketing Manager", "E-commerce Manager", "Operations Director", "CTO",
)  # fmt: skip
INDUSTRIES = (
    "Software", "Retail", "Healthcare", "Financial Services", "Manufacturing", "Education", "Media",
    "Hospitality", "Logistics", "Real Estate", "Professional Services", "Nonprofit",
)  # fmt: skip
COMPANY_SIZES = ("startup", "small", "medium", "enterprise")
COMPANY_SIZE_WEIGHTS = (0.25, 0.38, 0.25, 0.12)
COUNTRIES = ("US", "GB", "DE", "FR", "CA", "AU", "NL", "SE", "ES", "IT", "IN", "BR", "JP", "SG")
LOST_REASONS = ("no_budget", "chose_competitor", "no_response", "bad_timing", "not_a_fit")
FORMS = ("content_download", "webinar_registration", "demo_request", "newsletter_signup", "pricing_inquiry")

CAMPAIGN_NAMES = {
    "lead_generation": ("Webinar Lead Drive", "Demo Request Push", "Gated Guide Offer", "Free Trial Sprint",
                        "Pipeline Accelerator", "Lead Magnet Series"),
    "brand_awareness": ("Brand Lift", "Thought Leadership", "Always-On Awareness", "Podcast Sponsorship",
                        "Video Storytelling", "Category Creation"),
    "product_launch": ("{product} Launch", "{product} Early Access", "{product} Go-Live", "{product} Waitlist"),
    "email": ("Monthly Newsletter", "Onboarding Nurture", "Win-back Sequence", "Upsell Series",
              "Product Tips Digest", "Re-engagement Drip"),
    "social_media": ("LinkedIn Community Push", "Instagram Reels Series", "TikTok Creator Collab",
                     "Customer Stories Social", "Behind the Scenes"),
    "custom": ("Partner Co-marketing", "Trade Show Follow-up", "Referral Program", "Local Meetup Tour",
               "Customer Advisory Event"),
}  # fmt: skip
AUDIENCES = (
    "Marketing leaders at mid-size B2B companies", "Small business owners", "E-commerce managers",
    "Operations teams in logistics", "Founders of early-stage startups", "Existing customers on the basic plan",
    "Healthcare administrators", "Agency account managers",
)  # fmt: skip
