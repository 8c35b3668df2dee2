-- Fail closed for objects labelled before markings were read as STIX defines them (upper-case
-- ids were not recognised; granular markings and markings other than the nine well-known TLP
-- definitions were ignored, so such objects took the default TLP). Every such row is RED until
-- a new version of it is posted: a marking that was not read is never the default.
UPDATE stix_objects SET tlp = 'RED'
WHERE (tlp IS NULL OR tlp <> 'RED')
  AND (json LIKE '%"granular_markings"%'
       OR (json LIKE '%"object_marking_refs"%'
           AND (object_type = 'marking-definition'
                OR REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(json, 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487', ''), 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb', ''), 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421', ''), 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003', ''), 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1', ''), 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', ''), 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', ''), 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', ''), 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', '') LIKE '%marking-definition--%')));
